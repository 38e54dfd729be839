//! The console's sign-in sessions: who a session speaks for and when it stops (`docs/console.md`).
//!
//! A session lives on the server; the browser holds only its random id in an `HttpOnly`,
//! `SameSite=Strict` cookie. It ends after `IDLE_SECS` without a request, after `MAX_AGE_SECS` in
//! any case, and at once when its organization is disabled or rotates its keys (the session
//! remembers the credentials version it was opened under).

use crate::ids::OrganizationId;
use crate::organization::{Organization, Role};
use jiff::Timestamp;
use subtle::ConstantTimeEq;

/// Idle time after which a session ends.
pub const IDLE_SECS: i64 = 30 * 60;
/// Age after which a session ends however busy it is.
pub const MAX_AGE_SECS: i64 = 12 * 3600;

/// Whom a session speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Partner { organization_id: OrganizationId, role: Role },
    Operator,
}

impl Principal {
    /// Whether the session may change anything (the API's roles: a ReadOnly key may not).
    pub fn can_change(self) -> bool {
        match self {
            Principal::Partner { role, .. } => role.can_mutate(),
            Principal::Operator => true,
        }
    }
}

/// A session as stored (its id is kept only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub principal: Principal,
    /// The organization's credentials version when the session was opened.
    pub credentials_version: i64,
    /// The token every form of this session carries.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// Whether a session still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    /// No request for `IDLE_SECS`, or older than `MAX_AGE_SECS`.
    Expired,
    /// Its organization rotated its keys, was disabled, or is gone.
    Revoked,
}

impl ConsoleSession {
    /// `organization` is the session's organization as it is now (`None` for the operator, or
    /// when it no longer exists).
    pub fn standing(&self, organization: Option<&Organization>, now: Timestamp) -> Standing {
        let idle = now.as_second() - self.last_seen_at.as_second();
        let age = now.as_second() - self.created_at.as_second();
        // A last request more than a minute in the future is a clock gone wrong: end the session.
        if idle >= IDLE_SECS || age >= MAX_AGE_SECS || idle < -60 {
            return Standing::Expired;
        }
        match (self.principal, organization) {
            (Principal::Operator, _) => Standing::Active,
            (Principal::Partner { organization_id, .. }, Some(o))
                if o.id == organization_id && o.enabled && o.credentials_version == self.credentials_version =>
            {
                Standing::Active
            }
            (Principal::Partner { .. }, _) => Standing::Revoked,
        }
    }

    /// Whether a form's token is this session's.
    pub fn accepts_form_token(&self, token: &str) -> bool {
        same_token(&self.csrf_token, token)
    }
}

/// Whether `given` is the non-empty token `expected`, compared in constant time (form tokens, the
/// sign-in form's double-submitted token).
pub fn same_token(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use crate::organization::{CompatMode, OrganizationKind};

    fn org(enabled: bool, version: i64) -> Organization {
        Organization {
            id: Id::new(7),
            name: "Acme".into(),
            kind: OrganizationKind::Standard,
            balance: 0,
            rate_limit_per_minute: 100,
            enabled,
            require_signature_header: false,
            credentials_version: version,
            shared_key_sealed: String::new(),
            created_at: Timestamp::UNIX_EPOCH,
            cancellation_cutoff_hours: 24,
            max_active_bookings_per_user: None,
            compat_mode: CompatMode::Strict,
            default_time_zone: None,
            default_time_zone_remembered: false,
        }
    }

    fn session(created: i64, seen: i64) -> ConsoleSession {
        ConsoleSession {
            principal: Principal::Partner { organization_id: Id::new(7), role: Role::FullAccess },
            credentials_version: 2,
            csrf_token: "tok".into(),
            created_at: Timestamp::from_second(created).unwrap(),
            last_seen_at: Timestamp::from_second(seen).unwrap(),
        }
    }

    #[test]
    fn sessions_end_idle_old_rotated_or_disabled() {
        let at = |s: i64| Timestamp::from_second(s).unwrap();
        let s = session(1_000, 1_000);
        assert_eq!(s.standing(Some(&org(true, 2)), at(1_000 + IDLE_SECS - 1)), Standing::Active);
        assert_eq!(s.standing(Some(&org(true, 2)), at(1_000 + IDLE_SECS)), Standing::Expired);
        let busy = session(1_000, 1_000 + MAX_AGE_SECS - 10);
        assert_eq!(busy.standing(Some(&org(true, 2)), at(1_000 + MAX_AGE_SECS)), Standing::Expired);
        assert_eq!(s.standing(Some(&org(true, 3)), at(1_001)), Standing::Revoked, "keys rotated");
        assert_eq!(s.standing(Some(&org(false, 2)), at(1_001)), Standing::Revoked, "disabled");
        assert_eq!(s.standing(None, at(1_001)), Standing::Revoked, "gone");
        let operator = ConsoleSession { principal: Principal::Operator, ..session(1_000, 1_000) };
        assert_eq!(operator.standing(None, at(1_001)), Standing::Active);
    }

    #[test]
    fn form_tokens_must_match() {
        let s = session(0, 0);
        assert!(s.accepts_form_token("tok"));
        assert!(!s.accepts_form_token("tok2") && !s.accepts_form_token("") && !s.accepts_form_token("to"));
        assert!(!Principal::Partner { organization_id: Id::new(1), role: Role::ReadOnly }.can_change());
    }
}
