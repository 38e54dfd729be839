//! Prometheus metrics: the process-wide recorder every `metrics::…!` call writes to (the store's,
//! the vendor clients', the rate limiter's, the request middleware's), and its rendering for
//! `GET /metrics`. Names and what to alert on: `docs/operations.md`.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Histogram buckets, in seconds, from a fast read to a slow vendor.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder once per process (every application built in it shares it).
pub fn install() -> Option<&'static PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            let installed = PrometheusBuilder::new().set_buckets(BUCKETS).and_then(|b| b.install_recorder());
            match installed {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::error!(error = %e, "the metrics recorder could not be installed; /metrics will be empty");
                    None
                }
            }
        })
        .as_ref()
}

/// The current values in Prometheus's text format.
pub fn render() -> String {
    match install() {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => String::new(),
    }
}

/// Records how late due outbox work began: `due` is when it could first run, `began` when a
/// worker started it.
pub fn outbox_lag(consumer: &'static str, due: jiff::Timestamp, began: jiff::Timestamp) {
    let lag = began.duration_since(due).as_secs_f64().max(0.0);
    metrics::histogram!("tahoon_outbox_lag_seconds", "consumer" => consumer).record(lag);
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_histogram!(
        "tahoon_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer a request, by method, route template and status."
    );
    describe_counter!("tahoon_bookings_total", "Booking attempts by outcome (the reason name answered).");
    describe_counter!("tahoon_rate_limit_rejections_total", "Requests refused by a rate limit, by scope.");
    describe_gauge!("tahoon_rate_limit_redis_up", "1 while rate limits are shared through Redis, 0 while it is away.");
    describe_counter!("tahoon_rate_limit_redis_failures_total", "Calls to Redis that failed or timed out.");
    describe_histogram!(
        "tahoon_db_transaction_wait_seconds",
        Unit::Seconds,
        "Time to begin a database transaction (waiting for a pooled connection, or for SQLite's writer).",
    );
    describe_histogram!(
        "tahoon_vendor_call_duration_seconds",
        Unit::Seconds,
        "Outbound calls to vendors (video, push, webhook receivers), by vendor, operation and outcome.",
    );
    describe_histogram!(
        "tahoon_outbox_lag_seconds",
        Unit::Seconds,
        "How long due outbox work (webhook deliveries, push jobs) waited before a worker began it.",
    );
    describe_counter!("tahoon_webhook_deliveries_total", "Webhook delivery attempts by outcome.");
    describe_counter!("tahoon_push_deliveries_total", "Push job attempts by outcome.");
}
