//! `Signed<T>`: an authenticated, signed JSON body, parsed into `T`.
//!
//! One extractor for both signature forms (see `tahoon_domain::signing`): the
//! `X-Tahoon-Signature` header when present (each signature accepted once), otherwise the
//! `secureHash` field, unless the organization requires the header. A request without a body
//! (GET, DELETE) can only use the header, which then signs `<t>.<METHOD> <path?query>`. `secureHash` is removed
//! before `T` is parsed, so request types never declare it and unknown fields stay refused.

use super::auth::Partner;
use super::body::{decode, parse_value, read_json_bytes};
use crate::error::ApiError;
use crate::services::audit::AuditEvent;
use crate::services::tokens::Authenticated;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tahoon_domain::reason::Reason;
use tahoon_domain::signing::{
    HEADER_TOLERANCE_SECS, SECURE_HASH_FIELD, SIGNATURE_HEADER, SignatureHeader, canonical_string, verify_secure_hash,
};

/// Which form carried a verified signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum SignatureForm {
    SecureHash,
    Header,
}

/// A signed request. `MUTATING` requests also need the FullAccess role (the default).
pub struct SignedRequest<T, const MUTATING: bool = true> {
    pub auth: Authenticated,
    pub form: SignatureForm,
    pub body: T,
}

/// A signed request to a route that changes data.
pub type Signed<T> = SignedRequest<T, true>;
/// A signed request to a route that changes nothing (signature diagnostics).
pub type SignedReadOnly<T> = SignedRequest<T, false>;

fn signature_error(detail: &str) -> ApiError {
    ApiError::new(Reason::InvalidSignature).with_detail(detail)
}

impl<T: DeserializeOwned, const MUTATING: bool> FromRequest<AppState> for SignedRequest<T, MUTATING> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let Partner(auth) = Partner::from_request_parts(&mut parts, state).await?;
        if MUTATING {
            auth.require_full_access(state, &parts).await?;
        }
        let header = parts.headers.get(SIGNATURE_HEADER).cloned();
        let audit_failure = |why: &'static str| {
            AuditEvent::failure("signature.failed", Some(auth.organization.id), format!("org:{}", auth.organization.id))
                .details(json!({ "method": parts.method.as_str(), "path": parts.uri.path(), "why": why }))
        };
        // A request without a body (GET, DELETE) signs its method and path instead.
        let target = parts.extensions.get::<OriginalUri>().map(|u| u.0.clone()).unwrap_or_else(|| parts.uri.clone());
        let target = format!("{} {}", parts.method, target.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
        let bytes = read_json_bytes(Request::from_parts(parts.clone(), body), state).await?;
        // Only methods without body semantics sign their target; an empty POST is a missing body.
        let bodiless = bytes.is_empty()
            && matches!(parts.method, axum::http::Method::GET | axum::http::Method::DELETE | axum::http::Method::HEAD);
        let shared_key =
            state.config.secrets.master_key.unseal(&auth.organization.shared_key_sealed).map_err(ApiError::internal)?;

        let (form, value) = if let Some(header) = header {
            let parsed = header.to_str().ok().and_then(|h| SignatureHeader::parse(h).ok()).ok_or_else(|| {
                signature_error("the X-Tahoon-Signature header must look like t=<unix seconds>,v1=<hex>")
            });
            let verified = parsed.and_then(|h| {
                let now = jiff::Timestamp::now().as_second();
                let signed: &[u8] = if bodiless { target.as_bytes() } else { &bytes };
                h.verify(&shared_key, signed, now).map(str::to_string).map_err(|e| signature_error(&e.to_string()))
            });
            let signature = match verified {
                Ok(signature) => signature,
                Err(e) => {
                    state.audit.record_failure(audit_failure("header signature mismatch")).await;
                    return Err(e);
                }
            };
            let expires_at_us = (jiff::Timestamp::now().as_second() + 2 * HEADER_TOLERANCE_SECS) * 1_000_000;
            let fresh = state
                .store
                .record_signature(
                    auth.organization.id,
                    &signature,
                    expires_at_us,
                    jiff::Timestamp::now().as_microsecond(),
                )
                .await?;
            if !fresh {
                state.audit.record_failure(audit_failure("header signature replayed")).await;
                return Err(signature_error("this signature was already used; sign each request anew"));
            }
            (SignatureForm::Header, if bodiless { Value::Null } else { parse_value(&bytes)? })
        } else if bodiless {
            state.audit.record_failure(audit_failure("header signature missing on a request without a body")).await;
            return Err(signature_error(
                "a request without a body is signed with X-Tahoon-Signature over \"<t>.<METHOD> <path>\"",
            ));
        } else if auth.organization.require_signature_header {
            state.audit.record_failure(audit_failure("header signature required")).await;
            return Err(signature_error("this organization requires the X-Tahoon-Signature header"));
        } else {
            let value = parse_value(&bytes)?;
            let Value::Object(fields) = &value else {
                return Err(ApiError::validation("body", "must be a JSON object"));
            };
            let provided = match fields.get(SECURE_HASH_FIELD) {
                Some(Value::String(hash)) => hash,
                _ => {
                    state.audit.record_failure(audit_failure("secureHash missing")).await;
                    return Err(ApiError::field(
                        Reason::InvalidSignature,
                        SECURE_HASH_FIELD,
                        "is required (or sign with the X-Tahoon-Signature header)",
                    ));
                }
            };
            if !verify_secure_hash(&shared_key, fields, provided) {
                state.audit.record_failure(audit_failure("secureHash mismatch")).await;
                // The string we signed helps the partner find the difference; it holds nothing secret.
                return Err(ApiError::field(Reason::InvalidSignature, SECURE_HASH_FIELD, "does not match the body")
                    .with_data(json!({ "canonicalString": canonical_string(fields) })));
            }
            (SignatureForm::SecureHash, value)
        };

        let value = match value {
            Value::Object(mut fields) => {
                fields.remove(SECURE_HASH_FIELD);
                Value::Object(fields)
            }
            other => other,
        };
        Ok(SignedRequest { auth, form, body: decode(value)? })
    }
}
