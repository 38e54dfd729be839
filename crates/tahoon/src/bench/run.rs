//! `tahoon bench run`: for each backend and directory size, a fresh database seeded by
//! `tahoon bench seed`, a `tahoon serve` child, and the measurements beside their ceilings.

use super::ceilings;
use super::client::{Booked, Client, Partner, SCHEDULE, SEARCH};
use super::load::{Measured, closed_loop, open_loop};
use super::seed::{Credentials, read_credentials};
use super::server::Server;
use super::workload::{self, pick};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tahoon_store::Backend;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub providers: Vec<usize>,
    pub backends: Vec<Backend>,
    pub postgres_url: String,
    pub seconds: f64,
    /// The directory size the booking runs use.
    pub booking_providers: usize,
    pub clients: Vec<usize>,
    pub out: PathBuf,
    pub seed: u64,
    /// Keep a database seeded by an earlier run with the same size.
    pub reuse: bool,
}

/// One measurement, as the table shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub backend: String,
    pub providers: usize,
    pub operation: String,
    /// `closed`, `open` (fixed rate, latency from when each request was due) or `ceiling`.
    pub mode: String,
    pub clients: usize,
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub errors: u64,
    pub server_cpu_ms_per_request: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contention {
    pub backend: String,
    pub rounds: usize,
    /// Rounds in which exactly one of the 64 requests booked the slot.
    pub exactly_one_winner: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Results {
    pub machine: String,
    pub seconds_per_run: f64,
    pub rows: Vec<Row>,
    pub contention: Vec<Contention>,
}

pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// What the machine is, for the report.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(String::new(), |kb| format!(", {:.0} GB memory", kb / 1024.0 / 1024.0));
    format!(
        "{cores} cores ({}){memory}; client, server and database on the one machine",
        model.unwrap_or_else(|| "unknown CPU".into())
    )
}

/// A fresh (or reused) seeded database for `backend` with `providers` providers.
async fn prepare(
    options: &RunOptions,
    backend: Backend,
    providers: usize,
) -> anyhow::Result<(String, PathBuf, Credentials)> {
    let dir = options.out.join(format!("{}-{providers}", backend_name(backend)));
    std::fs::create_dir_all(&dir)?;
    let credentials = dir.join("credentials.json");
    let secrets = dir.join("secrets.toml");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
        Backend::Postgres => {
            ceilings::postgres_database(
                &options.postgres_url,
                &format!("tahoon_bench_{providers}"),
                options.reuse && credentials.exists(),
            )
            .await?
        }
    };
    if options.reuse && credentials.exists() {
        return Ok((url, secrets, read_credentials(&credentials)?));
    }
    if backend == Backend::Sqlite {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("bench.db{suffix}")));
        }
    }
    let _ = std::fs::remove_file(&secrets);
    eprintln!("seeding {providers} providers on {}", backend_name(backend));
    let exe = std::env::current_exe()?;
    let status = std::process::Command::new(exe)
        .args(["bench", "seed", "--providers", &providers.to_string(), "--seed", &options.seed.to_string()])
        .arg("--credentials")
        .arg(&credentials)
        .env("TAHOON_DATABASE_URL", &url)
        .env("TAHOON_SECRETS_FILE", &secrets)
        .env("RUST_LOG", "warn")
        .status()
        .context("running tahoon bench seed")?;
    if !status.success() {
        bail!("tahoon bench seed failed");
    }
    Ok((url, secrets, read_credentials(&credentials)?))
}

fn row(backend: Backend, providers: usize, operation: &str, mode: &str, clients: usize, m: &Measured) -> Row {
    Row {
        backend: backend_name(backend).into(),
        providers,
        operation: operation.into(),
        mode: mode.into(),
        clients,
        requests: m.requests,
        per_second: m.per_second(),
        p50_ms: m.percentile_ms(50.0),
        p99_ms: m.percentile_ms(99.0),
        p999_ms: m.percentile_ms(99.9),
        errors: m.errors,
        server_cpu_ms_per_request: None,
        peak_rss_mb: None,
        note: String::new(),
    }
}

/// Runs `load` against the server and notes the server's CPU per request and peak memory.
async fn served(
    server: &Server,
    mut row: impl FnMut(&Measured) -> Row,
    load: impl std::future::Future<Output = Measured>,
) -> Row {
    let before = server.cpu_seconds();
    let measured = load.await;
    let cpu = server.cpu_seconds() - before;
    let mut row = row(&measured);
    if measured.requests > 0 && cpu > 0.0 {
        row.server_cpu_ms_per_request = Some(cpu * 1000.0 / measured.requests as f64);
    }
    let rss = server.peak_rss_mb();
    row.peak_rss_mb = (rss > 0.0).then_some(rss);
    row
}

pub async fn run(options: &RunOptions) -> anyhow::Result<Results> {
    let mut results =
        Results { machine: machine(), seconds_per_run: options.seconds, rows: Vec::new(), contention: Vec::new() };
    let duration = Duration::from_secs_f64(options.seconds);
    for &backend in &options.backends {
        for &providers in &options.providers {
            let (url, secrets, credentials) = prepare(options, backend, providers).await?;
            let today: jiff::civil::Date = credentials.today.parse().context("the seeded date")?;
            let server = Server::start(&url, &secrets)?;
            let client = Client::new(server.base.clone());
            let mut partners = Vec::new();
            for o in &credentials.organizations {
                partners.push(client.sign_in(o).await?);
            }
            let partners = Arc::new(partners);
            eprintln!("measuring {} with {providers} providers", backend_name(backend));

            let c = client.clone();
            let health = served(
                &server,
                |m| row(backend, providers, "/healthz (ceiling)", "closed", 16, m),
                closed_loop(16, duration, move |_, _| {
                    let c = c.clone();
                    async move { Some(c.healthz().await) }
                }),
            )
            .await;
            results.rows.push(health);

            let bodies = Arc::new(workload::searches(2000, options.seed, today));
            let memory = ceilings::search_in_memory(&url, &bodies, duration, today).await?;
            results.rows.push(row(
                backend,
                providers,
                "search, slot computation in memory (ceiling)",
                "ceiling",
                1,
                &memory,
            ));

            let (c, b, p) = (client.clone(), bodies.clone(), partners.clone());
            let search = move |n: u64| {
                let (c, b, p) = (c.clone(), b.clone(), p.clone());
                async move { c.read(SEARCH, &p[pick(n, 1, p.len())].token, &b[pick(n, 2, b.len())]).await }
            };
            let s = search.clone();
            let closed = served(
                &server,
                |m| row(backend, providers, "search", "closed", 16, m),
                closed_loop(16, duration, move |conn, n| {
                    let s = s.clone();
                    async move { Some(s(n * 64 + conn as u64).await) }
                }),
            )
            .await;
            let rate = (closed.per_second / 2.0).max(1.0);
            results.rows.push(closed);
            let mut open = served(
                &server,
                |m| row(backend, providers, "search", "open", 16, m),
                open_loop(rate, duration, search),
            )
            .await;
            open.note = format!("offered {rate:.0}/s, half the closed-loop rate");
            results.rows.push(open);

            let schedules = Arc::new(workload::schedules(2000, options.seed, today, &credentials.providers));
            let (c, b, p) = (client.clone(), schedules.clone(), partners.clone());
            results.rows.push(served(&server, |m| row(backend, providers, "schedule", "closed", 16, m),
                closed_loop(16, duration, move |conn, n| {
                    let (c, b, p) = (c.clone(), b.clone(), p.clone());
                    let k = n * 64 + conn as u64;
                    async move { Some(c.read(SCHEDULE, &p[pick(k, 3, p.len())].token, &b[pick(k, 4, b.len())]).await) }
                })).await);

            let chains: Vec<Arc<tokio::sync::Mutex<Partner>>> =
                (0..16).map(|i| Arc::new(tokio::sync::Mutex::new(partners[i % partners.len()].clone()))).collect();
            let c = client.clone();
            results.rows.push(
                served(
                    &server,
                    |m| row(backend, providers, "token refresh", "closed", 16, m),
                    closed_loop(16, duration, move |conn, _| {
                        let (c, chain) = (c.clone(), chains[conn].clone());
                        async move { Some(c.refresh(&mut *chain.lock().await).await.is_ok()) }
                    }),
                )
                .await,
            );

            if providers == options.booking_providers {
                let (rows, contention) =
                    bookings(options, backend, &url, &server, &client, &partners, &credentials, today).await?;
                results.rows.extend(rows);
                results.contention.push(contention);
            }
        }
    }
    Ok(results)
}

/// A booking the run made: the organization (index), user, booking and provider ids.
type MadeBooking = (usize, String, String, String);

/// Booking at each client count beside the direct-insert ceiling, cancellation, and 64 racers
/// for one slot, five times.
#[allow(clippy::too_many_arguments)]
async fn bookings(
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
    let hot: Arc<Vec<String>> = Arc::new(pool.split_off(pool.len().saturating_sub(8)));
    let pool = Arc::new(Mutex::new(pool));
    let users = Arc::new(credentials.users.clone());
    let made: Arc<Mutex<Vec<MadeBooking>>> = Arc::new(Mutex::new(Vec::new()));
    for &clients in &options.clients {
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
                    let slot =
                        if k.is_multiple_of(10) { Some(hot[pick(k, 5, hot.len())].clone()) } else { pool.lock().unwrap().pop() };
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

    let mut contention = Contention { backend: backend_name(backend).into(), rounds: 5, exactly_one_winner: 0 };
    for round in 0..contention.rounds {
        let Some(slot) = pool.lock().unwrap().pop() else { break };
        let racers: Vec<_> = (0..64)
            .map(|i| {
                let (org, user) = users[(round * 64 + i) * 7 % users.len()].clone();
                let (c, p, slot) = (client.clone(), partners.clone(), slot.clone());
                tokio::spawn(async move { c.book(&p[org], &user, &slot).await })
            })
            .collect();
        let mut winners = 0;
        for racer in racers {
            if matches!(racer.await, Ok(Booked::Yes(..))) {
                winners += 1;
            }
        }
        if winners == 1 {
            contention.exactly_one_winner += 1;
        }
    }
    Ok((rows, contention))
}

pub fn write_results(out: &Path, results: &Results) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("results.json"), serde_json::to_string_pretty(results)?)?;
    Ok(())
}
