use crate::cli::{AvailabilityCommand, ProviderCommand, ProviderImportArgs};
use crate::settings::Settings;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use std::process::ExitCode;
use tahoon_domain::ids::{CareProviderId, kind};
use tahoon_server::AppState;
use tahoon_server::services::providers::{self, AvailabilityInput, ProviderInput};

/// `{"providers":[…]}` or a bare array.
#[derive(Deserialize)]
#[serde(untagged)]
enum ImportFile {
    Wrapped { providers: Vec<ProviderInput> },
    Bare(Vec<ProviderInput>),
}

pub async fn run(settings: &Settings, command: ProviderCommand) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    match command {
        ProviderCommand::Import(args) => import(&state, args).await,
        ProviderCommand::List(flag) => {
            let today = state.clock.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            let all = state.store.care_providers(today, today).await?;
            if flag.json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|p| serde_json::json!({
                        "careProviderId": state.ids.encode(p.id),
                        "externalId": p.external_id, "fullName": p.names.full_name(), "timeZone": p.time_zone, "active": p.active,
                    }))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for p in &all {
                    let id = state.ids.encode(p.id);
                    println!(
                        "{id}  {:<12} {:<18} {}{}",
                        p.external_id,
                        p.time_zone,
                        p.names.full_name(),
                        if p.active { "" } else { " (inactive)" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProviderCommand::Availability(AvailabilityCommand::Show { id }) => {
            let provider =
                state.store.care_provider(provider_id(&state, &id)?).await?.context("no such care provider")?;
            println!("{}", serde_json::to_string_pretty(&AvailabilityInput::from_provider(&provider))?);
            Ok(ExitCode::SUCCESS)
        }
        ProviderCommand::Availability(AvailabilityCommand::Set { id, file }) => {
            let id = provider_id(&state, &id)?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let input: AvailabilityInput =
                serde_json::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
            let (policy, weekly, exceptions) = input.parse("")?;
            let now = state.clock.now();
            if !state.store.set_provider_availability(id, policy, &weekly, &exceptions, now).await? {
                anyhow::bail!("no such care provider");
            }
            eprintln!("availability replaced");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn provider_id(state: &AppState, text: &str) -> anyhow::Result<CareProviderId> {
    state
        .ids
        .decode::<kind::CareProvider>(text.trim())
        .map_err(|e| anyhow::anyhow!("{text:?} {e} (care provider ids look like cp_…)"))
}

async fn import(state: &AppState, args: ProviderImportArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let inputs = match serde_json::from_str::<ImportFile>(&text) {
        Ok(ImportFile::Wrapped { providers }) | Ok(ImportFile::Bare(providers)) => providers,
        Err(_) => {
            // Re-parse strictly to name the offending field.
            let value: serde_json::Value = serde_json::from_str(&text).context("the file is not JSON")?;
            let list = value.get("providers").cloned().unwrap_or(value);
            let e =
                serde_path_to_error::deserialize::<_, Vec<ProviderInput>>(list).err().context("unreadable import")?;
            anyhow::bail!("providers{}: {}", e.path().to_string().trim_start_matches('.'), e.inner());
        }
    };
    let bar = ProgressBar::new(inputs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("importing [{bar:40}] {pos}/{len} ({per_sec}, {eta})")?.progress_chars("=> "),
    );
    let report = providers::import(state, &inputs, "cli", |done| bar.set_position(done as u64)).await;
    bar.finish_and_clear();
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{} created, {} updated", report.created, report.updated);
    }
    Ok(ExitCode::SUCCESS)
}
