//! Command-line interface. Every option that has an environment variable reads `TAHOON_*`;
//! the order of precedence is flags → environment → `tahoon.toml` → defaults.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod instrument;
mod org;
mod records;
mod serve;
pub use instrument::InstrumentCommand;
pub use org::*;
pub use records::*;
pub use serve::ServeArgs;

#[derive(Debug, Parser)]
#[command(name = "tahoon", version, about = "Tahoon: partner API for therapy screening and booking")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Configuration file (TOML). Default: ./tahoon.toml when it exists.
    #[arg(long, env = "TAHOON_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://FILE (default sqlite://tahoon.db) or postgres://…
    #[arg(long, env = "TAHOON_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where generated secrets are kept when none are configured. Default: beside the SQLite file,
    /// or ./tahoon.secrets.toml for PostgreSQL.
    #[arg(long, env = "TAHOON_SECRETS_FILE", global = true)]
    pub secrets_file: Option<PathBuf>,
    /// Master key (64 hex characters): seals shared keys, derives public-id keys.
    #[arg(long, env = "TAHOON_MASTER_KEY", global = true, hide_env_values = true)]
    pub master_key: Option<String>,
    /// Access-token signing key (64 hex characters).
    #[arg(long, env = "TAHOON_TOKEN_SIGNING_KEY", global = true, hide_env_values = true)]
    pub token_signing_key: Option<String>,
    /// Token-signing keys taken out of service (64 hex characters each, comma-separated): tokens
    /// they signed still verify until they expire. Put the old key here when rotating.
    #[arg(
        long,
        env = "TAHOON_RETIRED_TOKEN_SIGNING_KEYS",
        global = true,
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub retired_token_signing_keys: Vec<String>,
    /// Bearer token of the operator routes (/api/v1/admin/…).
    #[arg(long, env = "TAHOON_OPERATOR_TOKEN", global = true, hide_env_values = true)]
    pub operator_token: Option<String>,
    /// Let webhook targets be plain `http` and loopback addresses (local development and tests
    /// only; every other private or internal address stays refused).
    #[arg(long, env = "TAHOON_WEBHOOKS_ALLOW_LOOPBACK", global = true)]
    pub webhooks_allow_loopback: bool,
    /// Mark the console's cookies `Secure` (behind a proxy that terminates TLS; with
    /// `--tls-certificate` they are always).
    #[arg(long, env = "TAHOON_CONSOLE_SECURE_COOKIES", global = true)]
    pub console_secure_cookies: bool,
    /// Redis shared by every instance for rate-limit state (redis://… or rediss://…). Without
    /// it each instance keeps its own.
    #[arg(long, env = "TAHOON_REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Log format.
    #[arg(long, env = "TAHOON_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Copy every table from a SQLite database to a PostgreSQL one (ids unchanged, sequences
    /// advanced, audit chain verified), with a progress bar.
    MigrateData(MigrateDataArgs),
    /// Manage partner organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage care providers and their availability.
    #[command(subcommand)]
    Provider(ProviderCommand),
    /// Carry a partner's data over from another system (docs/switching.md).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage screening instruments.
    #[command(subcommand)]
    Instrument(InstrumentCommand),
    /// Fill an empty database with demo organizations and providers.
    Demo(DemoArgs),
    /// Sign a JSON body read from standard input (or, with `--header --request`, a request without
    /// a body), as a partner would.
    Sign(SignArgs),
    /// Seal configuration secrets with the master key.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Inspect the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Settings held in the database (video vendors, push, privacy; docs/configuration.md). A
    /// change takes effect without restarting a running server.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Push notifications to care providers (docs/integrations.md): what was sent, what waits, what failed.
    #[command(subcommand)]
    Push(PushCommand),
    /// Run the outbox worker alone, without the HTTP service: reminders, webhooks and push
    /// (docs/webhooks.md). Any number may run beside `serve` on one PostgreSQL database.
    Worker,
    /// Benchmarks (docs/benchmarks.md): seed a data set, or measure the service over HTTP beside
    /// the ceilings of the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Fill an empty database with the benchmark's data (deterministic) and write the credentials
    /// `bench run` uses.
    Seed(BenchSeedArgs),
    /// Seed fresh databases and measure: search, schedule, token refresh, booking and cancel over
    /// real HTTP to a `tahoon serve` it starts, beside /healthz, the in-memory search and the
    /// direct database insert; writes results.json and, with --doc, the report and its charts.
    Run(BenchRunArgs),
}

#[derive(Debug, Args)]
pub struct BenchSeedArgs {
    /// How many care providers.
    #[arg(long, default_value_t = 2000)]
    pub providers: usize,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the organizations' keys and the users' ids (mode 0600).
    #[arg(long, default_value = "bench-credentials.json")]
    pub credentials: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchRunArgs {
    /// Directory sizes to measure search at.
    #[arg(long, value_delimiter = ',', default_values_t = [200, 2000, 20000])]
    pub providers: Vec<usize>,
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string()])]
    pub backends: Vec<String>,
    /// A PostgreSQL URL whose server gets one fresh database per size (tahoon_bench_<size>).
    #[arg(long, env = "TAHOON_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres_url: String,
    /// Seconds each measurement lasts.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// The directory size booking is measured at.
    #[arg(long, default_value_t = 2000)]
    pub booking_providers: usize,
    /// Concurrent booking clients.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 4, 16, 64])]
    pub clients: Vec<usize>,
    /// Databases, credentials and results.json.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
    /// Rewrite this document's results section and draw its charts beside it
    /// (docs/benchmarks.md → docs/benchmarks/*.svg).
    #[arg(long)]
    pub doc: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep the databases an earlier run seeded (same sizes and seed).
    #[arg(long)]
    pub reuse: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Organizations (with their partners' keys), care providers, users and future bookings
    /// exported from the reference system, each keeping its reference id as an alias;
    /// idempotent, with a progress bar.
    Reference(ImportReferenceArgs),
}

#[derive(Debug, Args)]
pub struct ImportReferenceArgs {
    /// The directory holding organizations, careproviders, users and bookings (.json or .csv).
    #[arg(long)]
    pub dir: PathBuf,
    /// Check every record and report what would be done, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many care providers.
    #[arg(long, default_value_t = 50)]
    pub providers: usize,
    /// Seed of the generator: the same seed gives the same providers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print `{"organizations":[…]}` as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Create or update providers (by externalId) with their availability from a JSON file:
    /// `{"providers":[…]}` or a bare array. Idempotent.
    Import(ProviderImportArgs),
    /// List providers.
    List(JsonFlag),
    /// Show or replace a provider's availability.
    #[command(subcommand)]
    Availability(AvailabilityCommand),
}

#[derive(Debug, Args)]
pub struct ProviderImportArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AvailabilityCommand {
    /// Print a provider's availability as JSON (the format `set` reads).
    Show { id: String },
    /// Replace a provider's availability from a JSON file.
    Set {
        id: String,
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The organization's shared API key.
    #[arg(long, env = "TAHOON_SHARED_KEY", hide_env_values = true)]
    pub key: String,
    /// Print an X-Tahoon-Signature header value instead of a secureHash.
    #[arg(long)]
    pub header: bool,
    /// Unix time for the header form (default: now).
    #[arg(long, requires = "header")]
    pub timestamp: Option<i64>,
    /// Sign a request without a body (export, erasure) instead of reading one: the header then
    /// signs `<t>.<METHOD> <path?query>`, path as sent, such as `DELETE /api/v1/user/usr_…`.
    #[arg(long, requires = "header", value_name = "METHOD /PATH")]
    pub request: Option<String>,
    /// Print the body with its secureHash field added, ready to send.
    #[arg(long, conflicts_with = "header")]
    pub embed: bool,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// List every known setting with the value in force (secrets masked).
    List(JsonFlag),
    /// Show one setting: its value in force (masked when secret), type, default and description.
    Get(SettingKeyArgs),
    /// Change a setting (checked first); a running server picks it up without a restart.
    Set(SettingSetArgs),
    /// Delete a setting's stored value: its default is in force again.
    Reset(SettingKeyArgs),
}

#[derive(Debug, Args)]
pub struct SettingKeyArgs {
    /// GROUP.KEY, such as video.provider.
    pub key: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SettingSetArgs {
    /// GROUP.KEY, such as video.provider.
    pub key: String,
    /// The new value. For a secret prefer --from-file, which keeps it out of the shell's history.
    #[arg(required_unless_present = "from_file", conflicts_with = "from_file")]
    pub value: Option<String>,
    /// Read the value from a file (`-`: standard input), such as a service-account key file.
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PushCommand {
    /// List push jobs, newest first.
    List(PushListArgs),
}

#[derive(Debug, Args)]
pub struct PushListArgs {
    /// Only jobs in this status: pending, sending, sent, failed or skipped.
    #[arg(long, value_parser = push_status)]
    pub status: Option<tahoon_store::PushStatus>,
    /// At most this many (1–1,000).
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long)]
    pub json: bool,
}

fn push_status(text: &str) -> Result<tahoon_store::PushStatus, String> {
    tahoon_store::PushStatus::parse(text)
        .ok_or_else(|| "expected one of: pending, sending, sent, failed, skipped".into())
}
