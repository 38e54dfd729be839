//! `tahoon bench seed`: fills an empty database with the benchmark's data and writes the
//! credentials `bench run` signs in with.

use super::plan::{self, ORGANIZATIONS};
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::organization::{OrganizationKind, RateLimit, Role, SessionBalance};
use tahoon_server::AppState;
use tahoon_server::services::directory;
use tahoon_server::services::organizations::{self, OrganizationSpec};
use tahoon_server::services::providers;
use tahoon_store::{ImportedBooking, NewUser, Registration};

/// What `bench run` needs to act as the seeded partners. Holds secrets: written with mode 0600.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub organizations: Vec<OrganizationCredentials>,
    /// Each user's organization (index into `organizations`) and public id.
    pub users: Vec<(usize, String)>,
    pub providers: Vec<String>,
    /// The UTC date the data was planned from.
    pub today: String,
    pub bookings: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationCredentials {
    pub organization_id: String,
    pub access_key: String,
    pub shared_api_key: String,
}

pub fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let style = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// Seeds `providers` providers and everything around them; the database must be empty.
pub async fn seed(state: &AppState, providers: usize, seed: u64) -> anyhow::Result<Credentials> {
    if !crate::demo_data::is_empty(state).await.context("reading the database")? {
        bail!("the database is not empty; benchmark data goes only into an empty one");
    }
    let today = state.clock.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    directory::upsert_catalogue(state, &plan::catalogue(), "bench").await?;

    let inputs = plan::providers(providers, seed);
    let progress = bar(inputs.len(), "providers");
    let mut provider_ids = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(500) {
        let base = progress.position();
        let report = providers::import(state, chunk, "bench", |done| progress.set_position(base + done as u64)).await?;
        provider_ids.extend(report.care_provider_ids);
    }
    progress.finish_and_clear();

    let mut organizations = Vec::with_capacity(ORGANIZATIONS);
    let mut organization_ids = Vec::with_capacity(ORGANIZATIONS);
    for n in 0..ORGANIZATIONS {
        let spec = OrganizationSpec {
            name: format!("Bench Partner {}", n + 1),
            kind: OrganizationKind::Standard,
            balance: SessionBalance::clamped(0),
            role: Role::FullAccess,
            // The benchmark drives each partner far beyond any plan's quota.
            rate_limit_per_minute: Some(RateLimit::clamped(RateLimit::MAX)),
            require_signature_header: false,
            max_active_bookings_per_user: None,
        };
        let issued = organizations::create(state, spec, "bench").await?;
        organization_ids.push(state.ids.decode::<tahoon_domain::ids::kind::Organization>(&issued.organization_id)?);
        organizations.push(OrganizationCredentials {
            organization_id: issued.organization_id,
            access_key: issued.access_key,
            shared_api_key: issued.shared_api_key,
        });
    }

    let user_count = providers.max(200);
    let progress = bar(user_count, "users");
    let now = state.clock.now();
    let mut users = Vec::with_capacity(user_count);
    let mut user_ids = Vec::with_capacity(user_count);
    for n in 0..user_count {
        let organization = n % ORGANIZATIONS;
        let new = NewUser {
            organization_id: organization_ids[organization],
            reference_id: format!("bench-user-{n:06}"),
            name: format!("Bench User {n}"),
            dob: "1990-01-01".into(),
            gender: (n % 2) as i64,
            now,
        };
        let (Registration::Created(user) | Registration::Existing(user)) = state.store.register_user(new).await?;
        users.push((organization, state.ids.encode(user.id)));
        user_ids.push((organization_ids[organization], user.id));
        progress.inc(1);
    }
    progress.finish_and_clear();

    // The providers as stored (ids, zones, schedules), in import order.
    let stored = state.store.care_providers(today, today).await?;
    let planned = plan::bookings(&stored, user_count, seed, today);
    let progress = bar(planned.len(), "bookings");
    for chunk in planned.chunks(5000) {
        let rows: Vec<ImportedBooking> = chunk
            .iter()
            .map(|b| {
                let provider = &stored[b.provider];
                let (organization_id, user_id) = user_ids[b.user];
                ImportedBooking {
                    organization_id,
                    user_id,
                    provider_id: provider.id,
                    starts_at: b.session.start,
                    ends_at: b.session.end,
                    blocks_until: b.held.end,
                    status: BookingStatus::Confirmed,
                    price_minor: provider.primary_rate().map_or(0, |r| r.price_minor),
                    currency: "SAR".into(),
                    charity_debited: false,
                    meeting: None,
                    actor: "bench".into(),
                    reference_alias: None,
                    now,
                }
            })
            .collect();
        state.store.import_bookings(&rows).await?;
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    Ok(Credentials { organizations, users, providers: provider_ids, today: today.to_string(), bookings: planned.len() })
}

pub fn write_credentials(path: &Path, credentials: &Credentials) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(credentials)?;
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("writing {}", path.display()))?;
        file.write_all(text.as_bytes())?;
    }
    #[cfg(not(unix))]
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

pub fn read_credentials(path: &Path) -> anyhow::Result<Credentials> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))
}
