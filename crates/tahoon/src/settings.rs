//! Layered settings: defaults → `tahoon.toml` → `TAHOON_*` environment → flags (clap already
//! merged the last two), and the server secrets, generated once when none are configured.

use crate::cli::{GlobalArgs, LogFormat};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use tahoon_domain::secrets::{MasterKey, OPERATOR_TOKEN_PREFIX, generate_key, generate_secret, parse_hex_key};
use tahoon_server::{AppState, Secrets, ServerConfig};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tahoon.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// `tahoon.toml`. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub secrets_file: Option<PathBuf>,
    pub master_key: Option<String>,
    pub token_signing_key: Option<String>,
    pub operator_token: Option<String>,
    pub log_format: Option<LogFormat>,
    pub token_issuer: Option<String>,
    pub token_audience: Option<String>,
    /// Earlier token-signing keys, for verification only (`TAHOON_RETIRED_TOKEN_SIGNING_KEYS` wins).
    pub retired_token_signing_keys: Option<Vec<String>>,
    pub max_body_bytes: Option<usize>,
    pub default_rate_limit_per_minute: Option<i64>,
    /// Requests per minute to the token routes from one client address (default 30).
    pub token_rate_limit_per_address: Option<i64>,
    /// Password grants per minute naming one access key (default 10).
    pub token_rate_limit_per_access_key: Option<i64>,
    /// Redis for rate-limit state shared by every instance (`TAHOON_REDIS_URL` wins).
    pub redis_url: Option<String>,
    /// Prefix of this deployment's keys in Redis (default `tahoon:ratelimit:`).
    pub redis_key_prefix: Option<String>,
    /// Where `/metrics` is served on its own (`serve --metrics-listen` wins).
    pub metrics_listen: Option<String>,
    /// HTTPS: the certificate chain and its private key, PEM (both or neither).
    pub tls_certificate: Option<PathBuf>,
    pub tls_private_key: Option<PathBuf>,
    /// Seconds a request may run before it is answered 503 (1–600; default 30).
    pub request_timeout_secs: Option<u64>,
    /// Browser origins CORS allows (`https://app.example`); none by default.
    pub cors_allowed_origins: Option<Vec<String>>,
    /// Proxies (addresses or ranges) whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: Option<Vec<String>>,
    /// Seconds a hold may wait for its video room (10–3600; default 120).
    pub pending_hold_ttl_secs: Option<i64>,
    /// Webhook targets may be plain `http` and loopback (development only; default false).
    pub webhooks_allow_loopback: Option<bool>,
    /// The console's cookies are `Secure` (behind a TLS-terminating proxy; default false).
    pub console_secure_cookies: Option<bool>,
}

impl FileConfig {
    pub fn load(global: &GlobalArgs) -> anyhow::Result<FileConfig> {
        let (path, required) = match &global.config {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("tahoon.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| format!("reading {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(FileConfig::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
}

/// Everything resolved.
pub struct Settings {
    pub database_url: String,
    pub file: FileConfig,
    global: GlobalArgs,
}

impl Settings {
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Settings> {
        let file = FileConfig::load(global)?;
        let database_url = global
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        Ok(Settings { database_url, file, global: global.clone() })
    }

    /// The TLS files, from the flags or the file: both or neither.
    pub fn tls(
        &self,
        certificate: Option<PathBuf>,
        private_key: Option<PathBuf>,
    ) -> anyhow::Result<Option<tahoon_server::tls::TlsFiles>> {
        let certificate = certificate.or_else(|| self.file.tls_certificate.clone());
        let private_key = private_key.or_else(|| self.file.tls_private_key.clone());
        match (certificate, private_key) {
            (Some(certificate), Some(private_key)) => {
                Ok(Some(tahoon_server::tls::TlsFiles { certificate, private_key }))
            }
            (None, None) => Ok(None),
            _ => bail!("tls_certificate and tls_private_key go together"),
        }
    }

    pub fn listen(&self, flag: Option<String>) -> String {
        flag.or_else(|| self.file.listen.clone()).unwrap_or_else(|| DEFAULT_LISTEN.to_string())
    }

    /// Where generated secrets live: configured, else beside the SQLite file, else the working
    /// directory.
    fn secrets_path(&self) -> PathBuf {
        if let Some(path) = self.global.secrets_file.clone().or_else(|| self.file.secrets_file.clone()) {
            return path;
        }
        sqlite_file(&self.database_url)
            .map(|db| {
                db.with_file_name(format!(
                    "{}.secrets.toml",
                    db.file_stem().and_then(|s| s.to_str()).unwrap_or("tahoon")
                ))
            })
            .unwrap_or_else(|| PathBuf::from("tahoon.secrets.toml"))
    }

    pub fn secrets(&self) -> anyhow::Result<Secrets> {
        let configured = SecretsFile {
            master_key: self.global.master_key.clone().or_else(|| self.file.master_key.clone()),
            token_signing_key: self.global.token_signing_key.clone().or_else(|| self.file.token_signing_key.clone()),
            operator_token: self.global.operator_token.clone().or_else(|| self.file.operator_token.clone()),
        };
        let resolved = if configured.is_complete() {
            configured
        } else {
            let stored = load_or_generate(&self.secrets_path())?;
            SecretsFile {
                master_key: configured.master_key.or(stored.master_key),
                token_signing_key: configured.token_signing_key.or(stored.token_signing_key),
                operator_token: configured.operator_token.or(stored.operator_token),
            }
        };
        let master = resolved.master_key.context("master key missing")?;
        let signing = resolved.token_signing_key.context("token signing key missing")?;
        let master_key = MasterKey::new(parse_hex_key(&master).map_err(|e| anyhow::anyhow!("master key {e}"))?);
        let operator_token =
            open("operator_token", &master_key, &resolved.operator_token.context("operator token missing")?)?;
        if operator_token.len() < 32 {
            bail!("the operator token must be at least 32 characters");
        }
        Ok(Secrets {
            master_key,
            token_signing_key: parse_hex_key(&signing).map_err(|e| anyhow::anyhow!("token signing key {e}"))?,
            operator_token,
        })
    }

    pub fn server_config(&self) -> anyhow::Result<ServerConfig> {
        let mut config = ServerConfig::new(self.secrets()?);
        if let Some(issuer) = &self.file.token_issuer {
            config.token_issuer = issuer.clone();
        }
        if let Some(audience) = &self.file.token_audience {
            config.token_audience = audience.clone();
        }
        let retired = match self.global.retired_token_signing_keys.as_slice() {
            [] => self.file.retired_token_signing_keys.clone().unwrap_or_default(),
            given => given.to_vec(),
        };
        let retired = retired
            .iter()
            .map(|key| parse_hex_key(key.trim()).map_err(|e| anyhow::anyhow!("retired_token_signing_keys: {e}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        config.retired_token_signing_keys = tahoon_server::config::RetiredKeys::new(retired);
        if let Some(bytes) = self.file.max_body_bytes {
            config.max_body_bytes = bytes;
        }
        if let Some(secs) = self.file.pending_hold_ttl_secs {
            if !(10..=3600).contains(&secs) {
                anyhow::bail!("pending_hold_ttl_secs must be 10 to 3600");
            }
            config.pending_hold_ttl_secs = secs;
        }
        config.webhooks_allow_loopback =
            self.global.webhooks_allow_loopback || self.file.webhooks_allow_loopback.unwrap_or(false);
        config.console_secure_cookies =
            self.global.console_secure_cookies || self.file.console_secure_cookies.unwrap_or(false);
        let rate_limit = |name: &str, value: i64| {
            tahoon_domain::organization::RateLimit::new(value).map_err(|e| anyhow::anyhow!("{name} {e}"))
        };
        if let Some(limit) = self.file.default_rate_limit_per_minute {
            config.default_rate_limit_per_minute = rate_limit("default_rate_limit_per_minute", limit)?;
        }
        if let Some(limit) = self.file.token_rate_limit_per_address {
            config.token_rate_limits.per_address = rate_limit("token_rate_limit_per_address", limit)?;
        }
        if let Some(limit) = self.file.token_rate_limit_per_access_key {
            config.token_rate_limits.per_access_key = rate_limit("token_rate_limit_per_access_key", limit)?;
        }
        let redis_url = self.global.redis_url.clone().or_else(|| self.file.redis_url.clone());
        config.redis_url = redis_url.map(|url| open("redis_url", &config.secrets.master_key, &url)).transpose()?;
        if let Some(url) = &config.redis_url {
            tahoon_server::services::rate_limits::check_redis_url(url)
                .map_err(|e| anyhow::anyhow!("the Redis URL is not usable: {e}"))?;
        }
        if let Some(secs) = self.file.request_timeout_secs {
            if !(1..=600).contains(&secs) {
                anyhow::bail!("request_timeout_secs must be 1 to 600");
            }
            config.request_timeout = std::time::Duration::from_secs(secs);
        }
        for proxy in self.file.trusted_proxies.iter().flatten() {
            config.trusted_proxies.push(proxy.parse().map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?);
        }
        for origin in self.file.cors_allowed_origins.iter().flatten() {
            config.cors_allowed_origins.push(cors_origin(origin)?);
        }
        if let Some(prefix) = &self.file.redis_key_prefix {
            config.redis_key_prefix = prefix.clone();
        }
        Ok(config)
    }

    /// Opens the database (applying migrations) and builds the application state.
    pub async fn state(&self) -> anyhow::Result<AppState> {
        self.state_with(|_| {}).await
    }

    /// `state`, with the configuration adjusted by a command's own flags first.
    pub async fn state_with(&self, adjust: impl FnOnce(&mut ServerConfig)) -> anyhow::Result<AppState> {
        let mut config = self.server_config()?;
        adjust(&mut config);
        let database_url = open("database_url", &config.secrets.master_key, &self.database_url)?;
        let store = tahoon_store::open(&database_url).await.context("opening the database")?;
        Ok(AppState::new(store, config))
    }
}

/// A configuration value as given, or opened with the master key when sealed (`enc:…`,
/// `tahoon secret encrypt`); an error names the setting, never the value.
fn open(setting: &str, master_key: &MasterKey, value: &str) -> anyhow::Result<String> {
    master_key.open_setting(value).map_err(|_| {
        anyhow::anyhow!(
            "{setting} is sealed (enc:…) but the master key cannot open it: a value sealed under another key?"
        )
    })
}

/// A CORS origin as browsers send it: `http(s)://host[:port]`, nothing after.
fn cors_origin(origin: &str) -> anyhow::Result<tahoon_server::HeaderValue> {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
    let host_ok =
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !matches!(scheme, "http" | "https") || !host_ok {
        anyhow::bail!("cors_allowed_origins: {origin:?} is not an origin such as https://app.example");
    }
    Ok(tahoon_server::HeaderValue::from_str(origin)?)
}

/// The file path of a `sqlite:` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    master_key: Option<String>,
    token_signing_key: Option<String>,
    operator_token: Option<String>,
}

impl SecretsFile {
    fn is_complete(&self) -> bool {
        self.master_key.is_some() && self.token_signing_key.is_some() && self.operator_token.is_some()
    }

    fn generate() -> SecretsFile {
        SecretsFile {
            master_key: Some(hex::encode(generate_key())),
            token_signing_key: Some(hex::encode(generate_key())),
            operator_token: Some(generate_secret(OPERATOR_TOKEN_PREFIX)),
        }
    }
}

/// Reads the secrets file, or creates it (mode 0600, never overwriting: a server and a CLI
/// starting together agree on one file).
fn load_or_generate(path: &Path) -> anyhow::Result<SecretsFile> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return toml::from_str(&text).with_context(|| format!("reading secrets from {}", path.display()));
    }
    let generated = SecretsFile::generate();
    let text = format!(
        "# Tahoon server secrets, generated {}. Keep this file private and backed up:\n\
         # without master_key the organizations' shared keys and public ids cannot be read.\n{}",
        jiff::Timestamp::now(),
        toml::to_string(&generated)?
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            tracing::warn!(path = %path.display(), "no secrets configured: generated new ones and stored them (mode 0600)");
            Ok(generated)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path)?;
            toml::from_str(&text).with_context(|| format!("reading secrets from {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

pub fn init_logging(global: &GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let file_format = FileConfig::load(global).ok().and_then(|f| f.log_format);
    match global.log_format.or(file_format) {
        Some(LogFormat::Json) => builder.json().init(),
        _ => builder.init(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_file("sqlite://tahoon.db"), Some(PathBuf::from("tahoon.db")));
        assert_eq!(sqlite_file("sqlite:///var/lib/t.db?mode=rwc"), Some(PathBuf::from("/var/lib/t.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}
