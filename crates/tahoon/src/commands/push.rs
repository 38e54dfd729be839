//! `tahoon push list`: push jobs as the worker left them (which were sent, which wait for another
//! attempt and why, which failed for good). Shows no message content and no personal data.

use crate::cli::PushCommand;
use crate::settings::Settings;
use std::process::ExitCode;
use tahoon_server::services::push::jobs;

pub async fn run(config: &Settings, command: PushCommand) -> anyhow::Result<ExitCode> {
    let state = config.state().await?;
    match command {
        PushCommand::List(args) => {
            let views = jobs::list(&state, args.status, args.limit).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&views)?);
                return Ok(ExitCode::SUCCESS);
            }
            if views.is_empty() {
                eprintln!("no push jobs");
            }
            for view in views {
                let booking = view.booking_id.as_deref().unwrap_or("-");
                let detail = match view.status {
                    "sent" => format!("sent {}", view.sent_at.as_deref().unwrap_or("")),
                    "pending" => format!("next attempt {}", view.next_attempt_at),
                    _ => String::new(),
                };
                let error = view.last_error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default();
                println!(
                    "{}  {:<7}  {:<19}  {booking}  attempts {}  {detail}{error}",
                    view.id, view.status, view.event, view.attempts
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
