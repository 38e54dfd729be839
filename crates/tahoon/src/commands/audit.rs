use crate::cli::{AuditCommand, AuditExportArgs, AuditVerifyArgs};
use crate::settings::Settings;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::io::Write;
use std::process::ExitCode;
use tahoon_domain::audit::{AuditEntry, ChainVerifier};
use tahoon_domain::ids::kind;
use tahoon_store::AuditQuery;

const PAGE: i64 = 2_000;

pub async fn run(settings: &Settings, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(settings, args).await,
        AuditCommand::Export(args) => export(settings, args).await,
    }
}

/// `SEQ:HASH`.
fn anchor(text: &str) -> anyhow::Result<(i64, String)> {
    let (seq, hash) = text.split_once(':').context("--anchor is SEQ:HASH, as `audit verify` prints the head")?;
    let seq = seq.trim().parse::<i64>().ok().filter(|s| *s > 0).context("--anchor: SEQ is a positive number")?;
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("--anchor: HASH is 64 hex characters");
    }
    Ok((seq, hash))
}

async fn verify(settings: &Settings, args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let anchor = args.anchor.as_deref().map(anchor).transpose()?;
    let state = settings.state().await?;
    let progress = ProgressBar::new_spinner();
    progress.set_style(ProgressStyle::with_template("{spinner} verifying audit chain: {pos} entries ({per_sec})")?);
    let mut verifier = ChainVerifier::default();
    let mut anchored = false;
    let mut after = 0;
    loop {
        let page = state.store.audit_entries(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            if let Err(broken) = verifier.check(entry) {
                progress.finish_and_clear();
                eprintln!("audit chain BROKEN at entry {}: {broken}", broken.seq());
                println!("{}", json!({ "intact": false, "brokenAt": broken.seq(), "checked": verifier.checked() }));
                return Ok(ExitCode::FAILURE);
            }
            if let Some((seq, hash)) = &anchor
                && entry.seq == *seq
            {
                anchored = entry.hash == *hash;
            }
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    let head = verifier.head().map(|(seq, hash)| json!({ "seq": seq, "hash": hash }));
    if let Some((seq, _)) = &anchor
        && !anchored
    {
        eprintln!("audit chain BROKEN: entry {seq} is missing or is not the anchored one (rows removed or rewritten)");
        println!("{}", json!({ "intact": false, "anchorMismatch": seq, "checked": verifier.checked(), "head": head }));
        return Ok(ExitCode::FAILURE);
    }
    eprintln!("audit chain intact: {} entries", verifier.checked());
    println!("{}", json!({ "intact": true, "checked": verifier.checked(), "head": head }));
    Ok(ExitCode::SUCCESS)
}

async fn export(settings: &Settings, args: AuditExportArgs) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    let instant = |flag: &str, text: &str| -> anyhow::Result<jiff::Timestamp> {
        if let Ok(t) = text.parse::<jiff::Timestamp>() {
            return Ok(t);
        }
        let date: jiff::civil::Date =
            text.parse().with_context(|| format!("--{flag}: an RFC 3339 instant or a date YYYY-MM-DD"))?;
        Ok(jiff::tz::TimeZone::UTC
            .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .compatible()?)
    };
    let organization = match &args.organization {
        Some(id) => Some(state.ids.decode::<kind::Organization>(id).context("--organization: an org_… id")?),
        None => None,
    };
    let mut query = AuditQuery {
        organization_id: organization,
        from: args.from.as_deref().map(|f| instant("from", f)).transpose()?,
        to: args.to.as_deref().map(|t| instant("to", t)).transpose()?,
        action: None,
        after_seq: 0,
        offset: 0,
        limit: PAGE,
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let (_, total) = state.store.audit_search(&AuditQuery { limit: 0, ..query.clone() }).await?;
    let progress = ProgressBar::new(u64::try_from(total).unwrap_or(0));
    progress.set_style(ProgressStyle::with_template("exporting audit entries {bar:40} {pos}/{len} ({per_sec})")?);
    loop {
        let (page, _) = state.store.audit_search(&query).await?;
        let Some(last) = page.last() else { break };
        query.after_seq = last.seq;
        for entry in &page {
            writeln!(out, "{}", line(&state.ids, entry))?;
            progress.inc(1);
        }
    }
    out.flush()?;
    progress.finish_and_clear();
    eprintln!("exported {} audit entries", progress.position());
    Ok(ExitCode::SUCCESS)
}

/// One entry as the operator keeps it: everything stored, the organization by its public id.
fn line(ids: &tahoon_domain::public_id::IdCodec, entry: &AuditEntry) -> Value {
    let content = &entry.content;
    json!({
        "seq": entry.seq,
        "occurredAt": content.occurred_at.to_string(),
        "organizationId": content.organization_id.map(|id| ids.encode(id)),
        "actor": content.actor,
        "action": content.action,
        "outcome": content.outcome.as_str(),
        "requestId": content.request_id,
        "sourceIp": content.source_ip,
        "details": serde_json::from_str::<Value>(&content.details).unwrap_or(Value::String(content.details.clone())),
        "prevHash": entry.prev_hash,
        "hash": entry.hash,
    })
}
