//! Every record checked before anything is written (`tahoon import reference`).

use crate::reference_files::{BookingRecord, OrganizationRecord, ReferenceFiles, UserRecord};
use anyhow::bail;
use jiff::Timestamp;
use serde_json::json;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::Id;
use tahoon_domain::organization::{CompatMode, OrganizationKind, SessionBalance, ZoneSetting};
use tahoon_server::AppState;
use tahoon_server::extract::dialect::Dialect;
use tahoon_server::routes::user::register::RegisterRequest;
use tahoon_server::services::users::NewRegistration;
use tahoon_store::AliasKind;

/// The reference's keys are kept as they are; shorter ones are too weak to carry over.
const MIN_KEY_CHARS: usize = 16;

/// An organization as checked.
pub(super) struct OrganizationPlan<'a> {
    pub(super) record: &'a OrganizationRecord,
    pub(super) kind: OrganizationKind,
    pub(super) balance: SessionBalance,
    pub(super) compat: CompatMode,
    pub(super) zone: Option<ZoneSetting>,
}

/// A booking as checked.
pub(super) struct BookingPlan<'a> {
    pub(super) record: &'a BookingRecord,
    pub(super) starts_at: Timestamp,
    pub(super) ends_at: Timestamp,
    pub(super) status: BookingStatus,
}

pub(super) fn plan_organization(record: &OrganizationRecord) -> anyhow::Result<OrganizationPlan<'_>> {
    let at = format!("organization {:?}", record.organization_id);
    let kind = record.kind.parse().map_err(|e| anyhow::anyhow!("{at}: kind {e}"))?;
    let balance = SessionBalance::new(record.balance.unwrap_or(0)).map_err(|e| anyhow::anyhow!("{at}: balance {e}"))?;
    let compat = match record.compat_mode.as_deref() {
        None => CompatMode::Reference,
        Some(mode) => mode.parse().map_err(|e| anyhow::anyhow!("{at}: compatMode {e}"))?,
    };
    let zone = record
        .time_zone
        .as_deref()
        .map(ZoneSetting::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("{at}: timeZone {e}"))?;
    for (field, key) in [("applicationToken", &record.application_token), ("sharedApiKey", &record.shared_api_key)] {
        if key.trim() != key || key.chars().count() < MIN_KEY_CHARS || key.chars().any(char::is_control) {
            bail!("{at}: {field} must be at least {MIN_KEY_CHARS} characters without spaces around it");
        }
    }
    let name = record.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("{at}: name must be 1 to 200 characters");
    }
    tahoon_domain::anti_xss::check_free_text(name).map_err(|e| anyhow::anyhow!("{at}: name {e}"))?;
    if record.organization_id.trim().is_empty() {
        bail!("an organization's organizationId is empty");
    }
    Ok(OrganizationPlan { record, kind, balance, compat, zone })
}

/// A user's fields checked as registration checks them (the reference dialect: a midnight time
/// part on `dob` is allowed).
pub(super) fn plan_user(record: &UserRecord, now: Timestamp) -> anyhow::Result<NewRegistration> {
    let request: RegisterRequest = Dialect::Reference
        .decode(json!({
            "referenceId": record.reference_id, "name": record.name, "dob": record.dob, "genderType": record.gender_type,
        }))
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field_name().unwrap_or("user"), e.detail().unwrap_or("is not valid")))?;
    request
        .parse(now)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field_name().unwrap_or("user"), e.detail().unwrap_or("is not valid")))
}

pub(super) fn plan_booking(record: &BookingRecord) -> anyhow::Result<BookingPlan<'_>> {
    let instant = |field: &str, text: &str| {
        text.trim()
            .parse::<Timestamp>()
            .map_err(|_| anyhow::anyhow!("{field} must be an RFC 3339 instant with its offset"))
    };
    let starts_at = instant("startUtc", &record.start_utc)?;
    let ends_at = instant("endUtc", &record.end_utc)?;
    if ends_at <= starts_at || ends_at.duration_since(starts_at).as_hours() > 24 {
        bail!("endUtc must be after startUtc, at most 24 hours later");
    }
    // The reference's statuses (Confirmed, Cancelled, Pending, Failed); Pending ones are counted
    // and left behind (`write`).
    let status = match record.status {
        1 | 3 | 6 | 8 => BookingStatus::from_code(record.status),
        _ => None,
    }
    .ok_or_else(|| anyhow::anyhow!("status must be 1 (Confirmed), 3 (Cancelled), 6 (Pending) or 8 (Failed)"))?;
    if record.booking_id.trim().is_empty() {
        bail!("bookingId is empty");
    }
    Ok(BookingPlan { record, starts_at, ends_at, status })
}

/// Users and bookings name organizations, users and providers of the same files (or, for
/// providers, ones already imported).
pub(super) fn check_references(files: &ReferenceFiles) -> anyhow::Result<()> {
    let organizations: Vec<&str> = files.organizations.iter().map(|o| o.organization_id.as_str()).collect();
    for u in &files.users {
        if !organizations.contains(&u.organization_id.as_str()) {
            bail!("user {:?}: organizationId {:?} is not in organizations", u.user_login_info_id, u.organization_id);
        }
    }
    for b in &files.bookings {
        if !organizations.contains(&b.organization_id.as_str()) {
            bail!("booking {:?}: organizationId {:?} is not in organizations", b.booking_id, b.organization_id);
        }
        let known_user = files
            .users
            .iter()
            .any(|u| u.organization_id == b.organization_id && u.user_login_info_id == b.user_login_info_id);
        if !known_user {
            bail!(
                "booking {:?}: userLoginInfoId {:?} is not a user of its organization",
                b.booking_id,
                b.user_login_info_id
            );
        }
    }
    Ok(())
}

/// What the files cannot tell alone: keys already held by another organization, reference ids
/// of providers already held by another provider, and bookings' providers known only here.
pub(super) async fn check_against_the_database(state: &AppState, files: &ReferenceFiles) -> anyhow::Result<()> {
    for o in &files.organizations {
        let named = state.store.resolve_alias(AliasKind::Organization, Id::new(0), &o.organization_id).await?;
        let digest = tahoon_domain::secrets::digest(&o.application_token);
        if let Some((_, holder)) = state.store.access_key_by_digest(&digest).await?
            && named.is_none_or(|row| row != holder.id.get())
            && holder.name != o.name.trim()
        {
            bail!("organization {:?}: its applicationToken belongs to another organization", o.organization_id);
        }
    }
    for p in &files.providers {
        if let Some(row) = state.store.resolve_alias(AliasKind::CareProvider, Id::new(0), &p.user_login_info_id).await?
            && let Some(holder) = state.store.care_provider(Id::new(row)).await?
            && holder.external_id != p.provider.external_id
        {
            bail!(
                "provider {:?}: its userLoginInfoId already names the provider {:?}",
                p.user_login_info_id,
                holder.external_id
            );
        }
    }
    for b in &files.bookings {
        let in_files = files
            .providers
            .iter()
            .any(|p| p.user_login_info_id == b.care_provider_id || p.provider.external_id == b.care_provider_id);
        if !in_files
            && state.store.resolve_alias(AliasKind::CareProvider, Id::new(0), &b.care_provider_id).await?.is_none()
        {
            bail!("booking {:?}: careProviderId {:?} names no care provider", b.booking_id, b.care_provider_id);
        }
    }
    Ok(())
}
