//! The arguments of `tahoon serve`.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Default 127.0.0.1:8080.
    #[arg(long, env = "TAHOON_LISTEN")]
    pub listen: Option<String>,
    /// On an empty database, first load demo data and print its credentials.
    #[arg(long)]
    pub demo: bool,
    /// Serve `/metrics` on this address, without the operator token (for the scraper's network
    /// only), instead of on the main one for the operator.
    #[arg(long, env = "TAHOON_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM; with --tls-private-key). SIGHUP reloads
    /// both files.
    #[arg(long, env = "TAHOON_TLS_CERTIFICATE", requires = "tls_private_key")]
    pub tls_certificate: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "TAHOON_TLS_PRIVATE_KEY", requires = "tls_certificate")]
    pub tls_private_key: Option<PathBuf>,
}
