use crate::cli::ServeArgs;
use crate::settings::Settings;
use anyhow::Context;
use std::process::ExitCode;
use tahoon_server::Application;
use tahoon_server::services::booking::expiry;
use tahoon_server::services::push;

pub async fn run(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    if args.demo && crate::demo_data::is_empty(&state).await.context("reading the database")? {
        let data = super::demo::load(&state, 50, 1).await?;
        super::demo::print(&data, false)?;
    }
    // Settings changed by other instances or the CLI are seen as they commit (PostgreSQL), or
    // within a second (the change counter); a failed watch leaves the counter.
    if let Err(e) = state.settings.watch().await {
        tracing::warn!(error = %e, "cannot listen for settings changes; checking the change counter instead");
    }
    let listen = settings.listen(args.listen);
    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
    // Abandoned holds are failed in the background, a few times per time to live.
    let every = std::time::Duration::from_secs((state.config.pending_hold_ttl_secs / 4).max(5) as u64);
    let sweeps = tokio::spawn(expiry::run_sweeps(state.clone(), every));
    // Pushes to providers are delivered from the outbox every 5 seconds (docs/integrations.md).
    let pushes = tokio::spawn(push::run_pushes(state.clone(), push::EVERY));
    let app = Application::new(state, listener);
    tracing::info!(address = %app.local_addr()?, docs = "/docs", "tahoon is listening");
    app.run_until(shutdown_signal()).await?;
    sweeps.abort();
    pushes.abort();
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
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
