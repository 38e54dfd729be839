//! Bearer authentication of partner routes, and the role check of mutating ones.

use crate::error::ApiError;
use crate::middleware::rate_limit::{self, RateLimitSlot};
use crate::middleware::reference_answers::ReferenceAnswerSlot;
use crate::services::audit::AuditEvent;
use crate::services::error::{ServiceError, TokenRejection};
use crate::services::rate_limits::{self, LimitKey};
use crate::services::tokens::Authenticated;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde_json::json;
use tahoon_domain::reason::Reason;

/// A request with a valid bearer token, any role.
#[derive(Debug, Clone)]
pub struct Partner(pub Authenticated);

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Partner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(done) = parts.extensions.get::<Authenticated>() {
            return Ok(Partner(done.clone()));
        }
        let outcome = match bearer(parts) {
            Some(token) => state.tokens.authenticate(token).await,
            None => Err(ServiceError::Unauthenticated(TokenRejection::Missing)),
        };
        match outcome {
            Ok(authenticated) => {
                tracing::Span::current().record("organization_id", authenticated.organization.id.get());
                let organization = &authenticated.organization;
                let quota = rate_limits::per_minute(organization.rate_limit_per_minute);
                let slot = parts.extensions.get::<RateLimitSlot>();
                rate_limit::enforce(state, slot, LimitKey::Organization(organization.id), quota).await?;
                if organization.is_reference_compatible()
                    && let Some(slot) = parts.extensions.get::<ReferenceAnswerSlot>()
                {
                    slot.mark(organization.id);
                }
                parts.extensions.insert(authenticated.clone());
                Ok(Partner(authenticated))
            }
            Err(ServiceError::Unauthenticated(rejection)) => {
                state
                    .audit
                    .record_failure(AuditEvent::failure("auth.failed", None, "anonymous").details(json!({
                        "method": parts.method.as_str(),
                        "path": parts.uri.path(),
                        "why": rejection.as_str(),
                    })))
                    .await;
                Err(ApiError::new(Reason::InvalidToken))
            }
            Err(other) => Err(other.into()),
        }
    }
}

impl Authenticated {
    /// The one role check: mutating routes need FullAccess.
    pub async fn require_full_access(&self, state: &AppState, parts: &Parts) -> Result<(), ApiError> {
        if self.role.can_mutate() {
            return Ok(());
        }
        state
            .audit
            .record_failure(
                AuditEvent::failure(
                    "access.forbidden",
                    Some(self.organization.id),
                    format!("org:{}", self.organization.id.get()),
                )
                .details(json!({ "method": parts.method.as_str(), "path": parts.uri.path(), "role": self.role })),
            )
            .await;
        Err(ApiError::new(Reason::Forbidden))
    }
}
