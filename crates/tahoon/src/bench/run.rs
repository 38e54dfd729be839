//! `tahoon bench run`: for each backend and directory size, a fresh database seeded by
//! `tahoon bench seed`, a `tahoon serve` child, and the measurements beside their ceilings.

use super::ceilings;
use super::client::{Client, Partner, SCHEDULE, SEARCH};
use super::load::{Measured, closed_loop, open_loop};
use super::seed::{Credentials, read_credentials};
use super::server::Server;
use super::workload::{self, pick};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
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

pub(super) fn row(
    backend: Backend,
    providers: usize,
    operation: &str,
    mode: &str,
    clients: usize,
    m: &Measured,
) -> Row {
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
pub(super) async fn served(
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
                    super::booking::bookings(options, backend, &url, &server, &client, &partners, &credentials, today)
                        .await?;
                results.rows.extend(rows);
                results.contention.push(contention);
            }
        }
    }
    Ok(results)
}

pub fn write_results(out: &Path, results: &Results) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("results.json"), serde_json::to_string_pretty(results)?)?;
    Ok(())
}
