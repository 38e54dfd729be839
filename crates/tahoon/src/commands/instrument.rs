use crate::cli::InstrumentCommand;
use crate::settings::Settings;
use anyhow::Context;
use std::process::ExitCode;
use tahoon_domain::screening::InstrumentDefinition;
use tahoon_server::services::screening;

pub async fn run(settings: &Settings, command: InstrumentCommand) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    match command {
        InstrumentCommand::Add { file, json } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text).context("the file is not JSON")?;
            let definition: InstrumentDefinition =
                serde_path_to_error::deserialize(value).map_err(|e| anyhow::anyhow!("{}: {}", e.path(), e.inner()))?;
            let added = screening::add_instrument(&state, definition, "cli").await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "instrument": added.definition.code, "instrumentId": added.id, "firstQuestionId": added.question_id(1) })
                );
            } else {
                println!(
                    "added {} as instrument {} (question ids from {})",
                    added.definition.code,
                    added.id,
                    added.question_id(1)
                );
            }
        }
        InstrumentCommand::List => {
            let all = screening::instruments(&state).await.context("reading instruments")?;
            for i in all {
                println!(
                    "{:<4} {:<12} {} questions, max {}  {}",
                    i.id,
                    i.definition.code,
                    i.definition.questions.len(),
                    i.definition.max_total(),
                    i.definition.name_plang
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
