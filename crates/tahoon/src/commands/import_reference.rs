//! `tahoon import reference --dir DIR [--dry-run]`: a partner's data carried over from the
//! reference system (`docs/switching.md`).
//!
//! Every record is read and checked first; nothing is written when one is wrong, and the error
//! names the file, the record and the field. Then organizations (with the keys their partners
//! hold), care providers, users and future bookings are written in that order, each keeping its
//! reference id as an alias. Running it again changes nothing: organizations, users and bookings
//! already carrying their alias are counted as present, providers are matched by `externalId`.
//! `--dry-run` reports what it would do and writes nothing.

use crate::cli::ImportReferenceArgs;
use crate::reference_files::ReferenceFiles;
use crate::settings::Settings;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::HashMap;
use std::process::ExitCode;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::{CareProviderId, Id, OrganizationId, UserId, kind};
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_domain::settings::VideoProvider;
use tahoon_server::AppState;
use tahoon_server::services::organizations::{self, OrganizationSpec};
use tahoon_server::services::providers::{self, KnownIds};
use tahoon_server::services::users::{self, NewRegistration};
use tahoon_store::{AliasKind, ImportedBooking, Meeting, OrganizationChanges};

mod checks;

use checks::{
    BookingPlan, OrganizationPlan, check_against_the_database, check_references, plan_booking, plan_organization,
    plan_user,
};

const ACTOR: &str = "import";

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    created: u64,
    present: u64,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct BookingCounts {
    imported: u64,
    present: u64,
    /// Sessions that have ended: history stays in the reference system.
    past: u64,
    /// Left out: an active booking of the provider or the user overlapped.
    overlapping: u64,
    /// Left out: Pending (awaiting payment) in the reference system; settle them there first.
    pending: u64,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    dry_run: bool,
    organizations: Counts,
    care_providers: Counts,
    users: Counts,
    bookings: BookingCounts,
}

pub async fn run(settings: &Settings, args: ImportReferenceArgs) -> anyhow::Result<ExitCode> {
    let files = ReferenceFiles::read(&args.dir)?;
    let state = settings.state().await?;
    let now = state.clock.now();

    // First every record is checked, so a wrong one stops the import before anything is written.
    let organization_plans = files.organizations.iter().map(plan_organization).collect::<anyhow::Result<Vec<_>>>()?;
    let known = KnownIds::load(&state).await?;
    for (i, p) in files.providers.iter().enumerate() {
        p.provider.parse(&format!("careproviders.json record {}: ", i + 1), &known)?;
    }
    let registrations = files
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| plan_user(u, now).with_context(|| format!("users record {}", i + 1)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let booking_plans = files
        .bookings
        .iter()
        .enumerate()
        .map(|(i, b)| plan_booking(b).with_context(|| format!("bookings record {}", i + 1)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    check_references(&files)?;
    check_against_the_database(&state, &files).await?;

    let mut report = Report { dry_run: args.dry_run, ..Report::default() };
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")?.progress_chars("=> "),
    );
    let outcome = write(&state, &files, organization_plans, registrations, booking_plans, &mut report, &bar).await;
    bar.finish_and_clear();
    outcome?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let verb = if args.dry_run { "would be" } else { "were" };
        println!("{}", if args.dry_run { "Dry run: nothing was written" } else { "Imported" });
        println!(
            "  organizations: {} {verb} created, {} already present",
            report.organizations.created, report.organizations.present
        );
        println!(
            "  care providers: {} {verb} created, {} already present (updated)",
            report.care_providers.created, report.care_providers.present
        );
        println!("  users: {} {verb} created, {} already present", report.users.created, report.users.present);
        println!(
            "  bookings: {} {verb} imported, {} already present, {} overlapping; left in the reference system: {} \
             past, {} pending",
            report.bookings.imported,
            report.bookings.present,
            report.bookings.overlapping,
            report.bookings.past,
            report.bookings.pending
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn write(
    state: &AppState,
    files: &ReferenceFiles,
    organizations: Vec<OrganizationPlan<'_>>,
    registrations: Vec<NewRegistration>,
    bookings: Vec<BookingPlan<'_>>,
    report: &mut Report,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let dry = report.dry_run;
    bar.set_message("organizations");
    let mut organization_ids: HashMap<&str, Option<OrganizationId>> = HashMap::new();
    let charities: std::collections::HashSet<&str> = organizations
        .iter()
        .filter(|p| p.kind == OrganizationKind::Charity)
        .map(|p| p.record.organization_id.as_str())
        .collect();
    for plan in organizations {
        let id = import_organization(state, &plan, dry, &mut report.organizations).await?;
        organization_ids.insert(plan.record.organization_id.as_str(), id);
        bar.inc(1);
    }

    bar.set_message("care providers");
    let mut provider_ids: HashMap<String, CareProviderId> = HashMap::new();
    for p in &files.providers {
        let present = state.store.resolve_alias(AliasKind::CareProvider, Id::new(0), &p.user_login_info_id).await?;
        if present.is_some() {
            report.care_providers.present += 1;
        } else {
            report.care_providers.created += 1;
        }
    }
    if !dry && !files.providers.is_empty() {
        let inputs: Vec<_> = files.providers.iter().map(|p| p.provider.clone()).collect();
        let done = providers::import(state, &inputs, ACTOR, |_| {}).await?;
        for (record, public) in files.providers.iter().zip(&done.care_provider_ids) {
            let id = state.ids.decode::<kind::CareProvider>(public).context("an imported provider's id")?;
            state.store.set_alias(AliasKind::CareProvider, id.get(), &record.user_login_info_id).await.with_context(
                || format!("provider {:?}: its reference id belongs to another provider", record.user_login_info_id),
            )?;
            provider_ids.insert(record.user_login_info_id.clone(), id);
            provider_ids.insert(record.provider.external_id.clone(), id);
        }
    }
    bar.inc(files.providers.len() as u64);

    bar.set_message("users");
    let mut user_ids: HashMap<(&str, &str), UserId> = HashMap::new();
    for (record, registration) in files.users.iter().zip(registrations) {
        let organization = organization_ids.get(record.organization_id.as_str()).copied().flatten();
        let known = match organization {
            Some(o) => state.store.resolve_alias(AliasKind::User, o, &record.user_login_info_id).await?,
            None => None,
        };
        match (known, organization) {
            (Some(row), _) => {
                report.users.present += 1;
                user_ids.insert((&record.organization_id, &record.user_login_info_id), Id::new(row));
            }
            (None, Some(o)) if !dry => {
                let (public, created) = users::register(state, o, registration).await?;
                let id = state.ids.decode::<kind::User>(&public).context("a registered user's id")?;
                state.store.set_alias(AliasKind::User, id.get(), &record.user_login_info_id).await.with_context(
                    || format!("user {:?}: its reference id belongs to another user", record.user_login_info_id),
                )?;
                if created {
                    report.users.created += 1;
                } else {
                    report.users.present += 1;
                }
                user_ids.insert((&record.organization_id, &record.user_login_info_id), id);
            }
            (None, _) => report.users.created += 1,
        }
        bar.inc(1);
    }

    bar.set_message("bookings");
    let now = state.clock.now();
    let mut rows = Vec::new();
    for plan in bookings {
        bar.inc(1);
        if plan.ends_at <= now {
            report.bookings.past += 1;
            continue;
        }
        if plan.status == BookingStatus::Pending {
            report.bookings.pending += 1;
            continue;
        }
        let record = plan.record;
        let organization = organization_ids.get(record.organization_id.as_str()).copied().flatten();
        if let Some(o) = organization
            && state.store.resolve_alias(AliasKind::Booking, o, &record.booking_id).await?.is_some()
        {
            report.bookings.present += 1;
            continue;
        }
        let user = user_ids.get(&(record.organization_id.as_str(), record.user_login_info_id.as_str())).copied();
        let (Some(organization), Some(user), false) = (organization, user, dry) else {
            report.bookings.imported += 1;
            continue;
        };
        let charity = charities.contains(record.organization_id.as_str());
        let provider = match provider_ids.get(&record.care_provider_id) {
            Some(id) => *id,
            None => Id::new(
                state
                    .store
                    .resolve_alias(AliasKind::CareProvider, organization, &record.care_provider_id)
                    .await?
                    .with_context(|| {
                        format!("booking {:?}: no care provider {:?}", record.booking_id, record.care_provider_id)
                    })?,
            ),
        };
        let stored = state.store.care_provider(provider).await?.context("a care provider vanished")?;
        let minutes = plan.ends_at.duration_since(plan.starts_at).as_mins();
        let rate = stored.rates.iter().find(|r| i64::from(r.duration_minutes) == minutes).or(stored.primary_rate());
        let session = tahoon_domain::availability::Interval { start: plan.starts_at, end: plan.ends_at };
        rows.push(ImportedBooking {
            organization_id: organization,
            user_id: user,
            provider_id: provider,
            starts_at: plan.starts_at,
            ends_at: plan.ends_at,
            blocks_until: stored.policy.held(session).map_or(plan.ends_at, |held| held.end),
            status: plan.status,
            price_minor: rate.map_or(0, |r| r.price_minor),
            currency: rate.map_or_else(|| "SAR".to_string(), |r| r.currency.clone()),
            charity_debited: charity && plan.status.is_active(),
            meeting: record.meeting_id.as_ref().filter(|m| !m.trim().is_empty()).map(|m| Meeting {
                meeting_id: m.trim().to_string(),
                join_url: None,
                vendor: VideoProvider::VideoSdk,
            }),
            actor: ACTOR.into(),
            reference_alias: Some(record.booking_id.clone()),
            now,
        });
    }
    if !rows.is_empty() {
        let done = state.store.import_bookings(&rows).await?;
        report.bookings.imported += done.imported;
        report.bookings.present += done.already_present;
        report.bookings.overlapping += done.overlapping;
        state.directory.changed().await;
    }
    Ok(())
}

/// Finds the organization by its reference id, or creates it with its partner's keys.
async fn import_organization(
    state: &AppState,
    plan: &OrganizationPlan<'_>,
    dry: bool,
    counts: &mut Counts,
) -> anyhow::Result<Option<OrganizationId>> {
    let record = plan.record;
    if let Some(row) = state.store.resolve_alias(AliasKind::Organization, Id::new(0), &record.organization_id).await? {
        counts.present += 1;
        return Ok(Some(Id::new(row)));
    }
    // An earlier run that stopped between creating the organization and naming it.
    let digest = tahoon_domain::secrets::digest(&record.application_token);
    if let Some((_, organization)) = state.store.access_key_by_digest(&digest).await? {
        if organization.name != record.name.trim() {
            bail!("organization {:?}: its applicationToken belongs to another organization", record.organization_id);
        }
        counts.present += 1;
        if !dry {
            state.store.set_alias(AliasKind::Organization, organization.id.get(), &record.organization_id).await?;
        }
        return Ok(Some(organization.id));
    }
    counts.created += 1;
    if dry {
        return Ok(None);
    }
    let spec = OrganizationSpec {
        name: record.name.trim().to_string(),
        kind: plan.kind,
        balance: plan.balance,
        role: Role::FullAccess,
        rate_limit_per_minute: None,
        require_signature_header: false,
        max_active_bookings_per_user: None,
    };
    let created =
        organizations::create_with_credentials(state, spec, &record.application_token, &record.shared_api_key, ACTOR)
            .await
            .with_context(|| {
                format!("organization {:?}: its applicationToken may already be in use", record.organization_id)
            })?;
    state.store.set_alias(AliasKind::Organization, created.id.get(), &record.organization_id).await?;
    let changes = OrganizationChanges {
        compat_mode: Some(plan.compat),
        default_time_zone: plan.zone.clone().map(Some),
        ..OrganizationChanges::default()
    };
    organizations::update(state, created.id, changes, ACTOR).await?;
    Ok(Some(created.id))
}
