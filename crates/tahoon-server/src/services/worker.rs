//! The outbox worker (`tahoon serve` runs it beside the API; `tahoon worker` runs it alone): every
//! second, send due reminders, deliver webhooks, push to providers. Several workers may run on one
//! PostgreSQL database: each piece of work is claimed under a lease or sent in a transaction that
//! can succeed once.

use crate::services::{push, reminders, webhooks};
use crate::state::AppState;
use std::time::Duration;
use tokio::sync::watch;

/// How often a pass runs: new events are picked up within about this long.
pub const EVERY: Duration = Duration::from_secs(1);

/// Runs passes every `every` until `stop` turns true; the pass under way finishes its batch
/// (leases of work not begun are never taken), so a graceful shutdown loses nothing.
pub async fn run(state: AppState, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
        pass(&state, &stop).await;
    }
    tracing::info!("outbox worker stopped");
}

/// One pass of each kind of work; failures are logged and retried on the next pass.
pub async fn pass(state: &AppState, stop: &watch::Receiver<bool>) {
    match reminders::send_due(state).await {
        Ok(0) => {}
        Ok(sent) => tracing::info!(sent, "reminders sent"),
        Err(e) => tracing::error!(error = %crate::error::chain(&e), "reminder pass failed"),
    }
    let stopping = || *stop.borrow();
    match webhooks::deliver_due(state, &stopping).await {
        Ok(report) if report.is_idle() => {}
        Ok(report) => tracing::info!(?report, "webhook pass"),
        Err(e) => tracing::error!(error = %crate::error::chain(&e), "webhook pass failed"),
    }
    if stopping() {
        return;
    }
    match push::deliver_due(state).await {
        Ok(report) if report.is_idle() => {}
        Ok(report) => tracing::info!(?report, "push pass"),
        Err(e) => tracing::error!(error = %crate::error::chain(&e), "push pass failed"),
    }
}
