//! Booking under load: 1 to 64 clients beside the direct-insert ceiling, cancellation of what
//! they booked, and 64 racers for one slot, five times.

use super::ceilings;
use super::client::{Booked, Client, Partner};
use super::load::closed_loop;
use super::measure::{Contention, Row, RunOptions, backend_name, row, served};
use super::seed::Credentials;
use super::server::Server;
use super::workload::{self, pick};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tahoon_store::Backend;

/// A booking the run made: the organization (index), user, booking and provider ids.
type MadeBooking = (usize, String, String, String);

/// Booking at each client count beside the direct-insert ceiling, cancellation, and 64 racers
/// for one slot, five times.
#[allow(clippy::too_many_arguments)]
pub(super) async fn bookings(
    options: &RunOptions,
    backend: Backend,
    url: &str,
    server: &Server,
    client: &Client,
    partners: &Arc<Vec<Partner>>,
    credentials: &Credentials,
    today: jiff::civil::Date,
) -> anyhow::Result<(Vec<Row>, Contention)> {
    let duration = Duration::from_secs_f64(options.seconds);
    let providers = credentials.providers.len();
    let mut rows = Vec::new();
    // The slots bookings aim at, gathered before the clock starts.
    let days = workload::booking_days(3000, options.seed, today, &credentials.providers);
    let mut pool: Vec<String> = Vec::new();
    for (provider, date) in &days {
        pool.extend(client.slots(&partners[0].token, provider, date, "UTC").await?);
    }
    // A day's slots come once per schedule read, and a (provider, day) can be drawn twice.
    pool.sort();
    pool.dedup();
    // 64 racers for one slot, before anything else is booked (so no booking of the run, nor its
    // buffer, has taken the slot first): exactly one must win, every round.
    let mut contention = Contention {
        backend: backend_name(backend).into(),
        rounds: 5,
        exactly_one_winner: 0,
        winners: Vec::new(),
        failed: Vec::new(),
    };
    for round in 0..contention.rounds {
        let Some(slot) = pool.pop() else { break };
        let racers: Vec<_> = (0..64)
            .map(|i| {
                let users = &credentials.users;
                let (org, user) = users[(round * 64 + i) * 7 % users.len()].clone();
                let (c, p, slot) = (client.clone(), partners.clone(), slot.clone());
                tokio::spawn(async move { c.book(&p[org], &user, &slot).await })
            })
            .collect();
        let (mut winners, mut failed) = (0, 0);
        for racer in racers {
            match racer.await {
                Ok(Booked::Yes(..)) => winners += 1,
                Ok(Booked::Taken) => {}
                Ok(Booked::Failed(_)) | Err(_) => failed += 1,
            }
        }
        if winners == 1 {
            contention.exactly_one_winner += 1;
        }
        contention.winners.push(winners);
        contention.failed.push(failed);
    }
    let hot: Arc<Vec<String>> = Arc::new(pool.split_off(pool.len().saturating_sub(8)));
    let pool = Arc::new(Mutex::new(pool));
    let users = Arc::new(credentials.users.clone());
    let made: Arc<Mutex<Vec<MadeBooking>>> = Arc::new(Mutex::new(Vec::new()));
    for &clients in &options.clients {
        eprintln!("booking with {clients} clients");
        let (c, p, pool, hot, users, made) =
            (client.clone(), partners.clone(), pool.clone(), hot.clone(), users.clone(), made.clone());
        let mut r = served(
            server,
            |m| row(backend, providers, "book", "closed", clients, m),
            closed_loop(clients, duration, move |conn, n| {
                let (c, p, pool, hot, users, made) =
                    (c.clone(), p.clone(), pool.clone(), hot.clone(), users.clone(), made.clone());
                async move {
                    let k = n * 64 + conn as u64;
                    // One attempt in ten aims at a few hot slots that everyone wants.
                    let slot = if k.is_multiple_of(10) {
                        Some(hot[pick(k, 5, hot.len())].clone())
                    } else {
                        pool.lock().unwrap().pop()
                    };
                    let slot = slot?;
                    let (org, user) = &users[pick(k, 6, users.len())];
                    Some(match c.book(&p[*org], user, &slot).await {
                        Booked::Yes(id, provider) => {
                            made.lock().unwrap().push((*org, user.clone(), id, provider));
                            true
                        }
                        Booked::Taken => true,
                        Booked::Failed(_) => false,
                    })
                }
            }),
        )
        .await;
        r.note = "one attempt in ten aims at 8 hot slots (answered reason 4 once taken)".into();
        rows.push(r);
    }
    let insert = ceilings::direct_inserts(url, 16, duration, today).await?;
    rows.push(row(backend, providers, "booking insert directly in the database (ceiling)", "ceiling", 16, &insert));

    let to_cancel = Arc::new(Mutex::new(std::mem::take(&mut *made.lock().unwrap())));
    let (c, p) = (client.clone(), partners.clone());
    rows.push(
        served(
            server,
            |m| row(backend, providers, "cancel", "closed", 16, m),
            closed_loop(16, duration, move |_, _| {
                let (c, p, to_cancel) = (c.clone(), p.clone(), to_cancel.clone());
                async move {
                    let (org, user, booking, provider) = to_cancel.lock().unwrap().pop()?;
                    Some(c.cancel(&p[org], &user, &booking, &provider).await)
                }
            }),
        )
        .await,
    );

    Ok((rows, contention))
}
