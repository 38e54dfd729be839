use crate::cli::ServeArgs;
use crate::settings::Settings;
use anyhow::Context;
use std::process::ExitCode;
use tahoon_server::services::booking::expiry;
use tahoon_server::services::worker;
use tahoon_server::tls::ReloadableCertificate;
use tahoon_server::{AppState, Application};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub async fn run(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let metrics_listen = args.metrics_listen.clone().or_else(|| settings.file.metrics_listen.clone());
    let tls = settings.tls(args.tls_certificate.clone(), args.tls_private_key.clone())?;
    let state = settings
        .state_with(|config| {
            config.metrics_listen = metrics_listen.clone();
            // A console served over TLS sends its cookies only over TLS.
            config.console_secure_cookies |= tls.is_some();
        })
        .await?;
    if args.demo && crate::demo_data::is_empty(&state).await.context("reading the database")? {
        let data = super::demo::load(&state, 50, 1).await?;
        super::demo::print(&data, false)?;
    }
    watch_settings(&state).await;
    // Searches read the availability index: load it before the first request, then follow changes.
    state.directory.sync().await.context("loading the availability index")?;
    state.directory.start();
    let listen = settings.listen(args.listen);
    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
    if let Some(address) = &metrics_listen {
        let listener =
            tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address} for metrics"))?;
        tracing::info!(metrics_on = %listener.local_addr()?, "metrics are served on their own address");
        let metrics = Application::with_router(tahoon_server::startup::metrics_router(&state.config), listener);
        tokio::spawn(async move {
            if let Err(e) = metrics.run_until(std::future::pending()).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let certificate = match tls {
        Some(files) => Some(ReloadableCertificate::load(files).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let background = Background::start(&state);
    let app = Application::new(state, listener);
    let address = app.local_addr()?;
    let scheme = if certificate.is_some() { "https" } else { "http" };
    tracing::info!(%address, tls = certificate.is_some(), docs = "/docs", "tahoon is listening");
    eprintln!("console: {scheme}://{address}/console");
    match certificate {
        Some(certificate) => {
            tokio::spawn(reload_on_hangup(certificate.clone()));
            app.run_tls_until(certificate, shutdown_signal()).await?;
        }
        None => app.run_until(shutdown_signal()).await?,
    }
    background.stop().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// `tahoon worker`: the background work alone, until SIGINT or SIGTERM.
pub async fn run_worker(settings: &Settings) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    watch_settings(&state).await;
    let background = Background::start(&state);
    tracing::info!("the outbox worker is running");
    shutdown_signal().await;
    background.stop().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Settings changed by other instances or the CLI are seen as they commit (PostgreSQL), or
/// within a second (the change counter); a failed watch leaves the counter.
async fn watch_settings(state: &AppState) {
    if let Err(e) = state.settings.watch().await {
        tracing::warn!(error = %e, "cannot listen for settings changes; checking the change counter instead");
    }
}

/// The hold sweep and the outbox worker (reminders, webhooks, push).
struct Background {
    sweeps: JoinHandle<()>,
    worker: JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl Background {
    fn start(state: &AppState) -> Background {
        // Abandoned holds are failed a few times per time to live.
        let every = std::time::Duration::from_secs((state.config.pending_hold_ttl_secs / 4).max(5) as u64);
        let sweeps = tokio::spawn(expiry::run_sweeps(state.clone(), every));
        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(worker::run(state.clone(), worker::EVERY, stopped));
        Background { sweeps, worker, stop }
    }

    /// Lets the worker finish the attempts under way (each bounded by its timeout), then stops.
    async fn stop(self) {
        self.sweeps.abort();
        let _ = self.stop.send(true);
        if let Err(e) = self.worker.await {
            tracing::error!(error = %e, "the outbox worker ended badly");
        }
    }
}

/// SIGHUP: read the certificate and key again (a renewed certificate is served to new
/// connections; on a problem the one in use stays, and the log says why).
async fn reload_on_hangup(certificate: std::sync::Arc<ReloadableCertificate>) {
    #[cfg(unix)]
    {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: the certificate is not reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            match certificate.reload() {
                Ok(()) => tracing::info!("TLS certificate reloaded"),
                Err(e) => tracing::error!(error = %e, "TLS certificate not reloaded; the one in use stays"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = certificate;
}

/// SIGINT or SIGTERM: stop accepting, finish in-flight requests.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
