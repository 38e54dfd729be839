//! `tahoon settings list|get|set|reset`: the settings held in the database. Secrets are printed
//! masked; a value may be read from a file so that a secret stays out of the shell's history.

use crate::cli::{SettingSetArgs, SettingsCommand};
use crate::settings::Settings;
use anyhow::{Context, anyhow};
use std::io::Read;
use std::process::ExitCode;
use tahoon_server::AppState;
use tahoon_server::services::error::ServiceError;
use tahoon_server::services::settings::{self, SettingView};

const ACTOR: &str = "cli";

pub async fn run(config: &Settings, command: SettingsCommand) -> anyhow::Result<ExitCode> {
    let state = config.state().await?;
    match command {
        SettingsCommand::List(flag) => {
            let views = settings::list(&state).await?;
            if flag.json {
                println!("{}", serde_json::to_string_pretty(&views)?);
            } else {
                let width = views.iter().map(|v| v.key.len()).max().unwrap_or(0);
                for view in views {
                    println!("{:<width$}  {}", view.key, summary(&view));
                }
            }
        }
        SettingsCommand::Get(args) => {
            known(&args.key)?;
            let view = settings::get(&state, &args.key).await?;
            print_detail(&view, args.json)?;
        }
        SettingsCommand::Set(args) => set(&state, args).await?,
        SettingsCommand::Reset(args) => {
            known(&args.key)?;
            let view = settings::reset(&state, &args.key, ACTOR).await.map_err(|e| refused(&args.key, e))?;
            print_change(&view, args.json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn set(state: &AppState, args: SettingSetArgs) -> anyhow::Result<()> {
    known(&args.key)?;
    let value = match (&args.value, &args.from_file) {
        (Some(value), _) => value.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).context("reading the value from standard input")?;
            text
        }
        (None, Some(path)) => {
            std::fs::read_to_string(path).with_context(|| format!("reading the value from {}", path.display()))?
        }
        (None, None) => unreachable!("clap requires a value or --from-file"),
    };
    let view = settings::set(state, &args.key, &value, ACTOR).await.map_err(|e| refused(&args.key, e))?;
    print_change(&view, args.json)
}

/// An unknown key, named with where to find the known ones.
fn known(key: &str) -> anyhow::Result<()> {
    tahoon_domain::settings::find(key)
        .map(|_| ())
        .ok_or_else(|| anyhow!("no such setting {key:?} (`tahoon settings list` shows every known one)"))
}

/// A refusal as "KEY: why"; other errors as they are.
fn refused(key: &str, error: ServiceError) -> anyhow::Error {
    match error {
        ServiceError::Refused(refusal) => {
            let why = refusal.detail.clone().unwrap_or_else(|| refusal.to_string());
            anyhow!("{}: {why}", key.trim())
        }
        other => other.into(),
    }
}

/// The value in force and where it comes from, on one line.
fn summary(view: &SettingView) -> String {
    let value = view.value.as_deref().unwrap_or("-");
    let origin = match (&view.problem, view.is_set, &view.value) {
        (Some(problem), _, _) => format!("(default: {problem})"),
        (None, true, _) => format!("(set by {})", view.updated_by.as_deref().unwrap_or("?")),
        (None, false, Some(_)) => "(default)".to_string(),
        (None, false, None) => "(not set)".to_string(),
    };
    format!("{value}  {origin}")
}

fn print_detail(view: &SettingView, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(view)?);
        return Ok(());
    }
    println!("{}  {}", view.key, summary(view));
    println!("  type:    {} ({})", view.kind, view.rule);
    println!("  secret:  {}", if view.secret { "yes (sealed at rest, shown masked)" } else { "no" });
    println!("  default: {}", view.default.as_deref().unwrap_or("none"));
    if let (Some(at), Some(by)) = (&view.updated_at, &view.updated_by) {
        println!("  changed: {at} by {by}");
    }
    println!("  {}", view.description);
    Ok(())
}

fn print_change(view: &SettingView, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(view)?);
    } else {
        println!("{} = {}", view.key, summary(view));
    }
    Ok(())
}
