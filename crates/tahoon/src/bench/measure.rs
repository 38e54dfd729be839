//! What a run measures and how one measurement becomes a row of the report.

use super::load::Measured;
use super::server::Server;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
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
    /// How many of the 64 booked, round by round (1 every time, or the database let two in).
    pub winners: Vec<usize>,
    /// How many of the 64 ended neither booked nor refused as taken (an error), round by round:
    /// a round without a winner says here whether the slot was gone or the server failed.
    #[serde(default)]
    pub failed: Vec<usize>,
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

pub fn row(backend: Backend, providers: usize, operation: &str, mode: &str, clients: usize, m: &Measured) -> Row {
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
pub async fn served(
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
