//! Row shapes as selected, and their conversion to domain models (generic over the backend).

use crate::error::StoreError;
use crate::models::*;
use tahoon_domain::audit::{AuditContent, AuditEntry, Outcome};
use tahoon_domain::organization::Role;

/// The organization columns, in `OrganizationRow` order, optionally qualified.
macro_rules! org_columns {
    () => {
        "id, name, kind, balance, rate_limit_per_minute, enabled, require_signature_header, \
         credentials_version, shared_key_sealed, created_at"
    };
    (o) => {
        "o.id, o.name, o.kind, o.balance, o.rate_limit_per_minute, o.enabled, \
         o.require_signature_header, o.credentials_version, o.shared_key_sealed, o.created_at"
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
