//! Row shapes as selected, and their conversion to domain models (generic over the backend).

use crate::error::StoreError;
use crate::models::*;
use tahoon_domain::audit::{AuditContent, AuditEntry, Outcome};
use tahoon_domain::organization::Role;

/// The organization columns, in `OrganizationRow` order, optionally qualified.
macro_rules! org_columns {
    () => {
        "id, name, kind, balance, rate_limit_per_minute, enabled, require_signature_header, \
         credentials_version, shared_key_sealed, created_at, cancellation_cutoff_hours, \
         max_active_bookings_per_user"
    };
    (o) => {
        "o.id, o.name, o.kind, o.balance, o.rate_limit_per_minute, o.enabled, \
         o.require_signature_header, o.credentials_version, o.shared_key_sealed, o.created_at, \
         o.cancellation_cutoff_hours, o.max_active_bookings_per_user"
    };
}
pub(crate) use org_columns;

macro_rules! audit_columns {
    () => {
        "seq, occurred_at, organization_id, actor, action, outcome, request_id, source_ip, details, \
         prev_hash, hash"
    };
}
pub(crate) use audit_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct OrganizationRow {
    id: i64,
    name: String,
    kind: String,
    balance: i64,
    rate_limit_per_minute: i64,
    enabled: bool,
    require_signature_header: bool,
    credentials_version: i64,
    shared_key_sealed: String,
    created_at: i64,
    cancellation_cutoff_hours: i64,
    max_active_bookings_per_user: Option<i64>,
}

impl OrganizationRow {
    pub fn id(&self) -> i64 {
        self.id
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

pub(crate) fn parse_role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(|_| corrupt("role", text))
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = StoreError;
    fn try_from(r: OrganizationRow) -> Result<Self, StoreError> {
        Ok(Organization {
            kind: r.kind.parse().map_err(|_| corrupt("organization kind", &r.kind))?,
            id: r.id,
            name: r.name,
            balance: r.balance,
            rate_limit_per_minute: r.rate_limit_per_minute,
            enabled: r.enabled,
            require_signature_header: r.require_signature_header,
            credentials_version: r.credentials_version,
            shared_key_sealed: r.shared_key_sealed,
            created_at_us: r.created_at,
            cancellation_cutoff_hours: r.cancellation_cutoff_hours,
            max_active_bookings_per_user: r.max_active_bookings_per_user,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccessKeyRow {
    id: i64,
    organization_id: i64,
    role: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<AccessKeyRow> for AccessKey {
    type Error = StoreError;
    fn try_from(r: AccessKeyRow) -> Result<Self, StoreError> {
        Ok(AccessKey {
            id: r.id,
            organization_id: r.organization_id,
            role: parse_role(&r.role)?,
            created_at_us: r.created_at,
            revoked_at_us: r.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyWithOrganizationRow {
    key_id: i64,
    key_role: String,
    key_created_at: i64,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

impl TryFrom<KeyWithOrganizationRow> for (AccessKey, Organization) {
    type Error = StoreError;
    fn try_from(r: KeyWithOrganizationRow) -> Result<Self, StoreError> {
        let organization = Organization::try_from(r.organization)?;
        let key = AccessKey {
            id: r.key_id,
            organization_id: organization.id,
            role: parse_role(&r.key_role)?,
            created_at_us: r.key_created_at,
            revoked_at_us: None,
        };
        Ok((key, organization))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FamilyRow {
    pub id: String,
    pub organization_id: i64,
    pub access_key_id: i64,
    pub role: String,
    pub usable: bool,
}

impl FamilyRow {
    pub fn family(&self) -> Result<TokenFamily, StoreError> {
        Ok(TokenFamily {
            id: self.id.clone(),
            organization_id: self.organization_id,
            access_key_id: self.access_key_id,
            role: parse_role(&self.role)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StandingRow {
    #[sqlx(flatten)]
    organization: OrganizationRow,
    key_revoked: bool,
    family_revoked: bool,
    token_revoked: bool,
}

impl TryFrom<StandingRow> for TokenStanding {
    type Error = StoreError;
    fn try_from(r: StandingRow) -> Result<Self, StoreError> {
        Ok(TokenStanding {
            organization: r.organization.try_into()?,
            key_revoked: r.key_revoked,
            family_revoked: r.family_revoked,
            token_revoked: r.token_revoked,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    occurred_at: i64,
    organization_id: Option<i64>,
    actor: String,
    action: String,
    outcome: String,
    request_id: Option<String>,
    source_ip: Option<String>,
    details: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            seq: r.seq,
            content: AuditContent {
                occurred_at_us: r.occurred_at,
                organization_id: r.organization_id,
                actor: r.actor,
                action: r.action,
                outcome: Outcome::parse(&r.outcome).ok_or_else(|| corrupt("audit outcome", &r.outcome))?,
                request_id: r.request_id,
                source_ip: r.source_ip,
                details: r.details,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

// ---- Care providers ----------------------------------------------------------------------

use std::collections::HashMap;
use tahoon_domain::availability::{
    BookingPolicy, DatedException, ExceptionKind, Interval, LocalWindow, WeeklyRule, weekday_from_number,
};
use tahoon_domain::catalogue::CatalogueItem;
use tahoon_domain::provider::{Bio, CareProvider, Gender, Names, SessionRate};

macro_rules! provider_columns {
    () => {
        "id, external_id, first_name_plang, last_name_plang, first_name_slang, last_name_slang, gender, \
         experience_years, experience_level_id, provider_level_id, bio_short_plang, bio_short_slang, \
         bio_long_plang, bio_long_slang, education, certifications, profile_image_url, rating, review_count, \
         time_zone, active, min_notice_minutes, horizon_days, buffer_minutes"
    };
}
pub(crate) use provider_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct CatalogueRow {
    kind: String,
    id: i64,
    name_plang: String,
    name_slang: String,
}

impl TryFrom<CatalogueRow> for CatalogueItem {
    type Error = StoreError;
    fn try_from(r: CatalogueRow) -> Result<Self, StoreError> {
        Ok(CatalogueItem {
            kind: r.kind.parse().map_err(|_| corrupt("catalogue kind", &r.kind))?,
            id: r.id,
            name_plang: r.name_plang,
            name_slang: r.name_slang,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProviderRow {
    id: i64,
    external_id: String,
    first_name_plang: String,
    last_name_plang: String,
    first_name_slang: String,
    last_name_slang: String,
    gender: i64,
    experience_years: i64,
    experience_level_id: Option<i64>,
    provider_level_id: Option<i64>,
    bio_short_plang: String,
    bio_short_slang: String,
    bio_long_plang: String,
    bio_long_slang: String,
    education: String,
    certifications: String,
    profile_image_url: Option<String>,
    rating: f64,
    review_count: i64,
    time_zone: String,
    active: bool,
    min_notice_minutes: i64,
    horizon_days: i64,
    buffer_minutes: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PairRow {
    pub provider_id: i64,
    pub value: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RateRow {
    provider_id: i64,
    duration_minutes: i64,
    price_minor: i64,
    currency: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RuleRow {
    provider_id: i64,
    weekday: i64,
    start_minute: i64,
    end_minute: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ExceptionRow {
    provider_id: i64,
    local_date: String,
    kind: String,
    start_minute: i64,
    end_minute: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct BusyRow {
    provider_id: i64,
    user_id: i64,
    starts_at: i64,
    ends_at: i64,
    blocks_until: i64,
}

impl TryFrom<BusyRow> for BusyInterval {
    type Error = StoreError;
    fn try_from(r: BusyRow) -> Result<Self, StoreError> {
        let instant = |us: i64| jiff::Timestamp::from_microsecond(us).map_err(|_| corrupt("instant", &us.to_string()));
        Ok(BusyInterval {
            provider_id: r.provider_id,
            user_id: r.user_id,
            interval: Interval { start: instant(r.starts_at)?, end: instant(r.ends_at)? },
            held: Interval { start: instant(r.starts_at)?, end: instant(r.blocks_until)? },
        })
    }
}

fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what, text))
}

fn window(start: i64, end: i64) -> Result<LocalWindow, StoreError> {
    let minutes = |m: i64| u16::try_from(m).map_err(|_| corrupt("minute", &m.to_string()));
    LocalWindow::new(minutes(start)?, minutes(end)?).map_err(|_| corrupt("window", &format!("{start}-{end}")))
}

/// Everything read for a set of providers, assembled into domain models.
pub(crate) struct ProviderRows {
    pub providers: Vec<ProviderRow>,
    pub languages: Vec<PairRow>,
    pub specialties: Vec<PairRow>,
    pub rates: Vec<RateRow>,
    pub rules: Vec<RuleRow>,
    pub exceptions: Vec<ExceptionRow>,
}

impl ProviderRows {
    pub fn assemble(self) -> Result<Vec<CareProvider>, StoreError> {
        let mut by_id: HashMap<i64, CareProvider> = HashMap::with_capacity(self.providers.len());
        let mut order = Vec::with_capacity(self.providers.len());
        for r in self.providers {
            let small = |v: i64| u32::try_from(v).map_err(|_| corrupt("policy value", &v.to_string()));
            order.push(r.id);
            by_id.insert(
                r.id,
                CareProvider {
                    id: r.id,
                    external_id: r.external_id,
                    names: Names {
                        first_plang: r.first_name_plang,
                        last_plang: r.last_name_plang,
                        first_slang: r.first_name_slang,
                        last_slang: r.last_name_slang,
                    },
                    gender: Gender::from_code(r.gender).ok_or_else(|| corrupt("gender", &r.gender.to_string()))?,
                    experience_years: i32::try_from(r.experience_years).unwrap_or(i32::MAX),
                    experience_level_id: r.experience_level_id,
                    provider_level_id: r.provider_level_id,
                    language_ids: Vec::new(),
                    specialty_ids: Vec::new(),
                    rates: Vec::new(),
                    bio: Bio {
                        short_plang: r.bio_short_plang,
                        short_slang: r.bio_short_slang,
                        long_plang: r.bio_long_plang,
                        long_slang: r.bio_long_slang,
                    },
                    education: json("education", &r.education)?,
                    certifications: json("certifications", &r.certifications)?,
                    profile_image_url: r.profile_image_url,
                    rating: r.rating,
                    review_count: r.review_count,
                    time_zone: r.time_zone,
                    active: r.active,
                    policy: BookingPolicy {
                        min_notice_minutes: small(r.min_notice_minutes)?,
                        horizon_days: small(r.horizon_days)?,
                        buffer_minutes: small(r.buffer_minutes)?,
                    },
                    weekly: Vec::new(),
                    exceptions: Vec::new(),
                },
            );
        }
        for l in self.languages {
            if let Some(p) = by_id.get_mut(&l.provider_id) {
                p.language_ids.push(l.value);
            }
        }
        for s in self.specialties {
            if let Some(p) = by_id.get_mut(&s.provider_id) {
                p.specialty_ids.push(s.value);
            }
        }
        for r in self.rates {
            if let Some(p) = by_id.get_mut(&r.provider_id) {
                p.rates.push(SessionRate {
                    duration_minutes: u16::try_from(r.duration_minutes)
                        .map_err(|_| corrupt("duration", &r.duration_minutes.to_string()))?,
                    price_minor: r.price_minor,
                    currency: r.currency,
                });
            }
        }
        for r in self.rules {
            if let Some(p) = by_id.get_mut(&r.provider_id) {
                p.weekly.push(WeeklyRule {
                    weekday: weekday_from_number(r.weekday).map_err(|_| corrupt("weekday", &r.weekday.to_string()))?,
                    window: window(r.start_minute, r.end_minute)?,
                });
            }
        }
        for e in self.exceptions {
            if let Some(p) = by_id.get_mut(&e.provider_id) {
                p.exceptions.push(DatedException {
                    date: e.local_date.parse().map_err(|_| corrupt("date", &e.local_date))?,
                    kind: match e.kind.as_str() {
                        "timeOff" => ExceptionKind::TimeOff,
                        "extraHours" => ExceptionKind::ExtraHours,
                        other => return Err(corrupt("exception kind", other)),
                    },
                    window: window(e.start_minute, e.end_minute)?,
                });
            }
        }
        Ok(order.into_iter().filter_map(|id| by_id.remove(&id)).collect())
    }
}

pub(crate) fn exception_kind(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::TimeOff => "timeOff",
        ExceptionKind::ExtraHours => "extraHours",
    }
}

// ---- Users and screening ------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    organization_id: i64,
    reference_id: Option<String>,
    name: Option<String>,
    dob: Option<String>,
    gender: Option<i64>,
    created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            organization_id: r.organization_id,
            reference_id: r.reference_id,
            name: r.name,
            dob: r.dob,
            gender: r.gender,
            created_at_us: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InstrumentRow {
    id: i64,
    definition: String,
}

impl TryFrom<InstrumentRow> for tahoon_domain::screening::Instrument {
    type Error = StoreError;
    fn try_from(r: InstrumentRow) -> Result<Self, StoreError> {
        Ok(tahoon_domain::screening::Instrument { id: r.id, definition: json("instrument", &r.definition)? })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AssessmentRow {
    id: i64,
    user_id: i64,
    instrument_id: i64,
    instrument_code: String,
    total: i64,
    max_total: i64,
    band_code: String,
    risk_flags: String,
    answers: String,
    created_at: i64,
}

impl TryFrom<AssessmentRow> for AssessmentRecord {
    type Error = StoreError;
    fn try_from(r: AssessmentRow) -> Result<Self, StoreError> {
        Ok(AssessmentRecord {
            id: r.id,
            user_id: r.user_id,
            instrument_id: r.instrument_id,
            instrument_code: r.instrument_code,
            total: r.total,
            max_total: r.max_total,
            band_code: r.band_code,
            risk_flags: json("risk flags", &r.risk_flags)?,
            answers: json("answers", &r.answers)?,
            created_at_us: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    organization_id: Option<i64>,
    event_type: String,
    payload: String,
    created_at: i64,
}

impl From<OutboxRow> for OutboxEvent {
    fn from(r: OutboxRow) -> Self {
        OutboxEvent {
            id: r.id,
            organization_id: r.organization_id,
            event_type: r.event_type,
            payload: r.payload,
            created_at_us: r.created_at,
        }
    }
}

/// Free text removed from stored answers (erasure keeps the choices and scores).
pub(crate) fn without_text(answers: &str) -> Result<String, StoreError> {
    let mut parsed: Vec<tahoon_domain::screening::ScoredAnswer> = json("answers", answers)?;
    for a in &mut parsed {
        a.text = None;
    }
    Ok(serde_json::to_string(&parsed).expect("plain data serializes"))
}

// ---- Bookings -------------------------------------------------------------------------------

macro_rules! booking_columns {
    () => {
        "id, organization_id, user_id, provider_id, starts_at, ends_at, status, price_minor, currency, \
         communication_type, from_mobile, platform_id, meeting_id, join_url, charity_debited, created_at"
    };
}
pub(crate) use booking_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct BookingRow {
    id: i64,
    organization_id: i64,
    user_id: i64,
    provider_id: i64,
    starts_at: i64,
    ends_at: i64,
    status: i64,
    price_minor: i64,
    currency: String,
    communication_type: i64,
    from_mobile: bool,
    platform_id: Option<i64>,
    meeting_id: Option<String>,
    join_url: Option<String>,
    charity_debited: bool,
    created_at: i64,
}

pub(crate) fn status_of(code: i64) -> Result<tahoon_domain::booking::BookingStatus, StoreError> {
    tahoon_domain::booking::BookingStatus::from_code(code).ok_or_else(|| corrupt("booking status", &code.to_string()))
}

impl BookingRow {
    pub fn id(&self) -> i64 {
        self.id
    }
}

impl TryFrom<BookingRow> for Booking {
    type Error = StoreError;
    fn try_from(r: BookingRow) -> Result<Self, StoreError> {
        Ok(Booking {
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            provider_id: r.provider_id,
            starts_at_us: r.starts_at,
            ends_at_us: r.ends_at,
            status: status_of(r.status)?,
            price_minor: r.price_minor,
            currency: r.currency,
            communication_type: r.communication_type,
            from_mobile: r.from_mobile,
            platform_id: r.platform_id,
            meeting_id: r.meeting_id,
            join_url: r.join_url,
            charity_debited: r.charity_debited,
            created_at_us: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StatusChangeRow {
    from_status: Option<i64>,
    to_status: i64,
    at: i64,
    actor: String,
    reason: String,
}

impl TryFrom<StatusChangeRow> for StatusChange {
    type Error = StoreError;
    fn try_from(r: StatusChangeRow) -> Result<Self, StoreError> {
        Ok(StatusChange {
            from: r.from_status.map(status_of).transpose()?,
            to: status_of(r.to_status)?,
            at_us: r.at,
            actor: r.actor,
            reason: r.reason,
        })
    }
}

/// An overlap refused by the database: PostgreSQL's exclusion constraint (23P01) or SQLite's
/// unique backstop index.
pub(crate) fn is_overlap(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().as_deref() == Some("23P01") || db.is_unique_violation(),
        _ => false,
    }
}
