use crate::cli::AuditCommand;
use crate::settings::Settings;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use tahoon_domain::audit::ChainVerifier;

const PAGE: i64 = 2_000;

pub async fn run(settings: &Settings, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify => verify(settings).await,
    }
}

async fn verify(settings: &Settings) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    let progress = ProgressBar::new_spinner();
    progress.set_style(ProgressStyle::with_template("{spinner} verifying audit chain: {pos} entries ({per_sec})")?);
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = state.store.audit_entries(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            if let Err(broken) = verifier.check(entry) {
                progress.finish_and_clear();
                eprintln!("audit chain BROKEN at entry {}: {broken}", broken.seq());
                println!(
                    "{}",
                    serde_json::json!({ "intact": false, "brokenAt": broken.seq(), "checked": verifier.checked() })
                );
                return Ok(ExitCode::FAILURE);
            }
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    eprintln!("audit chain intact: {} entries", verifier.checked());
    println!("{}", serde_json::json!({ "intact": true, "checked": verifier.checked() }));
    Ok(ExitCode::SUCCESS)
}
