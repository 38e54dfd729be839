use crate::cli::{OrgCommand, OrgCreateArgs, OrgIdArgs, OrgSetArgs};
use crate::settings::Settings;
use anyhow::{Context, bail};
use std::process::ExitCode;
use tahoon_domain::ids::{OrganizationId, kind};
use tahoon_domain::organization::Organization;
use tahoon_server::AppState;
use tahoon_server::services::organizations::{self, IssuedCredentials, OrganizationSpec, OrganizationView};
use tahoon_store::OrganizationChanges;

const ACTOR: &str = "cli";

pub async fn run(settings: &Settings, command: OrgCommand) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    match command {
        OrgCommand::Create(args) => create(&state, args).await,
        OrgCommand::List(flag) => {
            let views: Vec<_> =
                state.store.organizations().await?.iter().map(|o| OrganizationView::new(&state, o)).collect();
            if flag.json {
                println!("{}", serde_json::to_string_pretty(&views)?);
            } else {
                for v in views {
                    let cap = v.max_active_bookings_per_user.map(|c| format!(" cap={c}")).unwrap_or_default();
                    let zone =
                        v.default_time_zone.as_ref().map(|z| format!(" zone={}", z.as_str())).unwrap_or_default();
                    let cap = format!("{cap}{zone} {}", v.compat_mode.as_str());
                    println!(
                        "{}  {:<9} {:<8} balance={:<5} rate={}/min cutoff={}h{cap} {}  {}",
                        v.organization_id,
                        v.kind.as_str(),
                        if v.enabled { "enabled" } else { "DISABLED" },
                        v.balance,
                        v.rate_limit_per_minute,
                        v.cancellation_cutoff_hours,
                        if v.require_signature_header { "header-signing" } else { "" },
                        v.name
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::RotateKeys(args) => {
            let id = parse_id(&state, &args.id)?;
            let issued = organizations::rotate_keys(&state, id, ACTOR).await?.context("no such organization")?;
            print_credentials(&issued, args.json)?;
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::Disable(args) => set_enabled(&state, args, false).await,
        OrgCommand::Enable(args) => set_enabled(&state, args, true).await,
        OrgCommand::Set(args) => set(&state, args).await,
    }
}

fn parse_id(state: &AppState, text: &str) -> anyhow::Result<OrganizationId> {
    state
        .ids
        .decode::<kind::Organization>(text.trim())
        .map_err(|e| anyhow::anyhow!("{text:?} {e} (organization ids look like org_…)"))
}

async fn create(state: &AppState, args: OrgCreateArgs) -> anyhow::Result<ExitCode> {
    let name = args.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("--name must be 1 to 200 characters");
    }
    tahoon_domain::anti_xss::check_free_text(&name).map_err(|e| anyhow::anyhow!("--name {e}"))?;
    let issued = organizations::create(
        state,
        OrganizationSpec {
            name,
            kind: args.kind,
            balance: args.balance,
            role: args.role,
            rate_limit_per_minute: args.rate_limit,
            require_signature_header: args.require_signature_header,
            max_active_bookings_per_user: args.max_active_bookings_per_user,
        },
        ACTOR,
    )
    .await?;
    print_credentials(&issued, args.json)?;
    Ok(ExitCode::SUCCESS)
}

fn print_credentials(issued: &IssuedCredentials, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(issued)?);
    } else {
        println!("organizationId: {}", issued.organization_id);
        println!("accessKey:      {}", issued.access_key);
        println!("sharedApiKey:   {}", issued.shared_api_key);
        eprintln!("These keys are shown this once only; store them now.");
    }
    Ok(())
}

async fn set_enabled(state: &AppState, args: OrgIdArgs, enabled: bool) -> anyhow::Result<ExitCode> {
    let id = parse_id(state, &args.id)?;
    let changes = OrganizationChanges { enabled: Some(enabled), ..Default::default() };
    let updated = organizations::update(state, id, changes, ACTOR).await?.context("no such organization")?;
    print_view(state, &updated, args.json)
}

async fn set(state: &AppState, args: OrgSetArgs) -> anyhow::Result<ExitCode> {
    let id = parse_id(state, &args.id)?;
    if let Some(name) = &args.name {
        tahoon_domain::anti_xss::check_free_text(name).map_err(|e| anyhow::anyhow!("--name {e}"))?;
    }
    let changes = OrganizationChanges {
        cancellation_cutoff_hours: args.cancellation_cutoff_hours.map(|h| h.get()),
        name: args.name,
        rate_limit_per_minute: args.rate_limit.map(|r| r.get()),
        balance: args.balance.map(|b| b.get()),
        require_signature_header: args.require_signature_header,
        enabled: None,
        max_active_bookings_per_user: args.max_active_bookings_per_user.map(|cap| cap.0.map(|c| c.get())),
        compat_mode: args.compat,
        default_time_zone: args.time_zone.map(|z| z.0),
    };
    let updated = organizations::update(state, id, changes, ACTOR).await?.context("no such organization")?;
    print_view(state, &updated, args.json)
}

fn print_view(state: &AppState, o: &Organization, json: bool) -> anyhow::Result<ExitCode> {
    let view = OrganizationView::new(state, o);
    if json {
        println!("{}", serde_json::to_string(&view)?);
    } else {
        println!("{} {} ({})", view.organization_id, view.name, if view.enabled { "enabled" } else { "disabled" });
    }
    Ok(ExitCode::SUCCESS)
}
