//! `tahoon bench run`: for each backend and directory size, a fresh database seeded by
//! `tahoon bench seed`, a `tahoon serve` child, and the measurements beside their ceilings.

use super::ceilings;
use super::client::{Client, Partner, SCHEDULE, SEARCH};
use super::load::{closed_loop, open_loop};
use super::measure::{Results, RunOptions, backend_name, machine, row, served};
use super::seed::{Credentials, read_credentials};
use super::server::Server;
use super::workload::{self, pick};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tahoon_store::Backend;

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
