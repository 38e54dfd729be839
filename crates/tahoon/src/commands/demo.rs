use crate::cli::DemoArgs;
use crate::demo_data::{self as demo, DemoData};
use crate::settings::Settings;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use tahoon_server::AppState;

pub async fn run(settings: &Settings, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    let data = load(&state, args.providers, args.seed).await?;
    print(&data, args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Loads demo data with a progress bar.
pub async fn load(state: &AppState, providers: usize, seed: u64) -> anyhow::Result<DemoData> {
    let bar = ProgressBar::new(providers as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")?.progress_chars("=> "),
    );
    bar.set_message("demo providers");
    let result = demo::seed(state, providers, seed, |done| bar.set_position(done as u64)).await;
    bar.finish_and_clear();
    result.context("loading demo data")
}

pub fn print(data: &DemoData, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(&serde_json::json!({ "organizations": data.organizations }))?);
        return Ok(());
    }
    println!("Demo data: {} care providers and these organizations (keys shown this once only):", data.providers);
    for o in &data.organizations {
        println!("  {} ({})", o.name, o.kind.as_str());
        println!("    organizationId: {}", o.organization_id);
        println!("    accessKey:      {}", o.access_key);
        println!("    sharedApiKey:   {}", o.shared_api_key);
    }
    Ok(())
}
