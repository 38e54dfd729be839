//! The one error type of the use cases. Services return `ServiceResult`; the HTTP edge maps a
//! `ServiceError` to the envelope once (`From<ServiceError> for ApiError`), and the CLI prints it
//! with its sources.

use serde_json::Value;
use std::fmt;
use tahoon_domain::reason::Reason;
use tahoon_store::{StoreError, TokenFamily};

pub type ServiceResult<T> = Result<T, ServiceError>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Refused for a reason the caller can act on.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A bearer token that does not authenticate.
    #[error("the access token is not accepted ({})", .0.as_str())]
    Unauthenticated(TokenRejection),
    /// An OAuth grant with credentials that are invalid, expired or revoked.
    #[error("the credentials are invalid, expired or revoked")]
    InvalidGrant,
    /// A refresh token presented twice: its whole family is now revoked.
    #[error("the refresh token was already used; its token family is revoked")]
    RefreshReused(TokenFamily),
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// Something that cannot happen did.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn internal(what: impl Into<String>) -> ServiceError {
        ServiceError::Internal(what.into())
    }
}

/// A refusal the caller can act on: the envelope's reason, the field at fault, what is wrong, and
/// facts for the envelope's `data` (never secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub reason: Reason,
    pub field: Option<String>,
    pub detail: Option<String>,
    pub data: Option<Value>,
}

impl Refusal {
    pub fn new(reason: Reason) -> Refusal {
        Refusal { reason, field: None, detail: None, data: None }
    }

    /// A refusal naming the field at fault.
    pub fn field(reason: Reason, field: impl Into<String>, detail: impl Into<String>) -> Refusal {
        Refusal { field: Some(field.into()), detail: Some(detail.into()), ..Refusal::new(reason) }
    }

    /// A field that failed validation (ValidationFailed).
    pub fn validation(field: impl Into<String>, detail: impl Into<String>) -> Refusal {
        Refusal::field(Reason::ValidationFailed, field, detail)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Refusal {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_data(mut self, data: Value) -> Refusal {
        self.data = Some(data);
        self
    }
}

/// "field: what is wrong", as the CLI prints it.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.reason.message(tahoon_domain::reason::Language::English);
        match (&self.field, &self.detail) {
            (Some(field), Some(detail)) => write!(f, "{field}: {detail}"),
            (Some(field), None) => write!(f, "{field}: {message}"),
            (None, Some(detail)) => f.write_str(detail),
            (None, None) => f.write_str(message),
        }
    }
}

impl std::error::Error for Refusal {}

/// Why a bearer token was refused (recorded in the audit log, never detailed to the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    Missing,
    Malformed,
    BadSignature,
    Algorithm,
    UnknownKey,
    Expired,
    Issuer,
    Audience,
    Revoked,
    OrganizationDisabled,
    CredentialsRotated,
}

impl TokenRejection {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRejection::Missing => "missing bearer token",
            TokenRejection::Malformed => "malformed token",
            TokenRejection::BadSignature => "bad signature",
            TokenRejection::Algorithm => "algorithm not allowed",
            TokenRejection::UnknownKey => "unknown kid",
            TokenRejection::Expired => "expired",
            TokenRejection::Issuer => "wrong issuer",
            TokenRejection::Audience => "wrong audience",
            TokenRejection::Revoked => "revoked",
            TokenRejection::OrganizationDisabled => "organization disabled",
            TokenRejection::CredentialsRotated => "credentials rotated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_sentences_and_chains_keep_their_source() {
        let refusal = Refusal::validation("dob", "must not be in the future");
        assert_eq!(refusal.to_string(), "dob: must not be in the future");
        let store = ServiceError::from(StoreError::Corrupt("instant: 1".into()));
        let source = std::error::Error::source(&store).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("a stored value is invalid: instant: 1"));
    }
}
