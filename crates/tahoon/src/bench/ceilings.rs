//! The ceilings measured beside each result: what the same data allows without HTTP (the day's
//! slot computation in memory) and without the service (the booking insert straight into the
//! database), plus the PostgreSQL database each run gets.

use super::load::{Measured, closed_loop, histogram};
use anyhow::Context;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use sqlx::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tahoon_domain::directory::{Booked, DirectoryIndex, Query};
use tahoon_domain::provider::{Gender, ProviderFilter};
use tahoon_store::{BookingUser, HoldOutcome, NewBooking, NewUser, Registration};

/// A database named `name` beside the one `admin_url` names, made empty unless `keep`.
pub async fn postgres_database(admin_url: &str, name: &str, keep: bool) -> anyhow::Result<String> {
    let (base, query) = admin_url.split_once('?').map_or((admin_url, ""), |(b, q)| (b, q));
    let (server, _) = base.rsplit_once('/').context("a PostgreSQL URL ending in a database name")?;
    let url = if query.is_empty() { format!("{server}/{name}") } else { format!("{server}/{name}?{query}") };
    if !keep {
        let mut admin = sqlx::PgConnection::connect(admin_url).await.context("connecting to PostgreSQL")?;
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(&mut admin).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut admin).await?;
    }
    Ok(url)
}

fn midnight(date: Date) -> Timestamp {
    TimeZone::UTC
        .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .unwrap_or(Timestamp::MIN)
}

/// A search body as the index's query: date, zone and filters (prices in major units).
fn parsed(body: &Value) -> Option<(Date, TimeZone, ProviderFilter, usize)> {
    let date: Date = body["scheduleDate"].as_str()?.parse().ok()?;
    let zone = TimeZone::get(body["timeZone"].as_str()?).ok()?;
    let f = &body["filterCriteriaObject"];
    let ids = |v: &Value| v.as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
    let filter = ProviderFilter {
        gender: f["genderType"].as_i64().and_then(Gender::from_code),
        language_ids: ids(&f["languageIds"]),
        specialty_ids: ids(&f["specialtyIds"]),
        min_price_minor: f["minPrice"].as_f64().map(|p| (p * 100.0) as i64),
        max_price_minor: f["maxPrice"].as_f64().map(|p| (p * 100.0) as i64),
        ..Default::default()
    };
    let offset = (body["page"].as_u64().unwrap_or(1).saturating_sub(1) * 20) as usize;
    Some((date, zone, filter, offset))
}

/// The same searches answered by the index itself, on one core, with no HTTP and no JSON.
pub async fn search_in_memory(
    url: &str,
    bodies: &[Value],
    duration: Duration,
    today: Date,
) -> anyhow::Result<Measured> {
    let store = tahoon_store::open(url).await?;
    let from = today.checked_sub(SignedDuration::from_hours(48)).unwrap_or(today);
    let load = store.directory(from, midnight(today)).await?;
    let busy = load
        .busy
        .into_iter()
        .map(|b| Booked { provider_id: b.provider_id, user_id: b.user_id, interval: b.interval, held: b.held })
        .collect();
    let index = DirectoryIndex::build(load.providers, busy, today);
    let queries: Vec<_> = bodies.iter().filter_map(parsed).collect();
    let measured = tokio::task::spawn_blocking(move || {
        let mut latency = histogram();
        let start = Instant::now();
        let now = Timestamp::now();
        let mut n = 0;
        while start.elapsed() < duration {
            let (date, zone, filter, offset) = &queries[n % queries.len().max(1)];
            let began = Instant::now();
            let query = Query { date: *date, zone, now, filter, caller_busy: &[], offset: *offset, limit: 20 };
            std::hint::black_box(index.search(&query));
            latency.saturating_record(began.elapsed().as_micros() as u64);
            n += 1;
        }
        Measured { requests: latency.len(), errors: 0, elapsed: start.elapsed(), latency }
    })
    .await?;
    Ok(measured)
}

/// Holds written straight through the store by `tasks` loops: each a transaction that checks
/// for an overlap and inserts, as a booking's hold does, with no HTTP, token, signature or room.
pub async fn direct_inserts(url: &str, tasks: usize, duration: Duration, today: Date) -> anyhow::Result<Measured> {
    let store = tahoon_store::open(url).await?;
    let organization = store.organizations().await?.first().map(|o| o.id).context("a seeded organization")?;
    let providers: Vec<_> = store.care_providers(today, today).await?.into_iter().map(|p| p.id).collect();
    let mut users = Vec::new();
    for i in 0..tasks {
        let new = NewUser {
            organization_id: organization,
            reference_id: format!("ceiling-{}-{i}", Timestamp::now().as_millisecond()),
            name: "Ceiling".into(),
            dob: "1990-01-01".into(),
            gender: 0,
            now: Timestamp::now(),
        };
        let (Registration::Created(u) | Registration::Existing(u)) = store.register_user(new).await?;
        users.push(u.id);
    }
    // Far past the horizon, one hour apart per insert: nothing overlaps.
    let first = midnight(today) + SignedDuration::from_hours(24 * 400);
    let (store, users, providers) = (store.clone(), Arc::new(users), Arc::new(providers));
    Ok(closed_loop(tasks, duration, move |task, n| {
        let (store, users, providers) = (store.clone(), users.clone(), providers.clone());
        async move {
            let k = n as i64 * tasks as i64 + task as i64;
            let starts_at = first + SignedDuration::from_hours(k);
            let ends_at = starts_at + SignedDuration::from_mins(50);
            let hold = NewBooking {
                organization_id: organization,
                user: BookingUser::Existing(users[task]),
                provider_id: providers[k as usize % providers.len().max(1)],
                starts_at,
                ends_at,
                blocks_until: ends_at,
                price_minor: 0,
                currency: "SAR".into(),
                communication_type: 1,
                from_mobile: false,
                platform_id: None,
                debit_balance: false,
                guest_audit: None,
                actor: "bench".into(),
                now: Timestamp::now(),
            };
            Some(matches!(store.hold_booking(hold).await, Ok(HoldOutcome::Held { .. })))
        }
    })
    .await)
}
