//! `SignedRequest<T, P>`: an authenticated request whose signature was verified under its route's
//! signing policy `P`, with the body parsed into `T`.
//!
//! One extractor, one order for every signed route: bearer token → role (mutating routes need
//! FullAccess) → body presence → signature → typed body → `Idempotency-Key` claim. So a request
//! that fails authentication, role or signature never reaches the idempotency store, and a stored
//! answer is only replayed to a request that passed the same checks (`middleware::idempotency`).
//!
//! Signature forms (see `tahoon_domain::signing`): the `X-Tahoon-Signature` header on every signed
//! route; the reference's `secureHash` body field only on the routes the reference signed
//! (`SecureHashOrHeader`: register, booksession, cancelbooking) and the diagnostics route, unless
//! the organization requires the header. A route without a body signs `<t>.<METHOD> <path?query>`
//! and refuses any body. `secureHash` is removed before `T` is parsed, so unknown fields stay
//! refused while the three reference routes' request types declare it only to document it.
//!
//! For an organization in compatibility mode the body is read in the reference dialect
//! (`dialect`), and the route the reference never signed (assessment answers) takes the token alone.

use super::auth::Partner;
use super::body::{parse_value, read_json_bytes};
use super::dialect::Dialect;
use crate::error::ApiError;
use crate::middleware::idempotency::{self, IdempotencySlot};
use crate::services::audit::AuditEvent;
use crate::services::reference_ids;
use crate::services::tokens::Authenticated;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::marker::PhantomData;
use tahoon_domain::reason::Reason;
use tahoon_domain::signing::{
    HEADER_TOLERANCE_SECS, SECURE_HASH_FIELD, SIGNATURE_HEADER, SecureHashError, SignatureHeader, canonical_string,
    verify_secure_hash,
};

/// Which form carried a verified signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum SignatureForm {
    SecureHash,
    Header,
}

/// What a route demands of its signature.
pub trait SigningPolicy: Send + Sync + 'static {
    /// The route changes data: FullAccess is required and `Idempotency-Key` is honoured.
    const MUTATING: bool;
    /// The reference's `secureHash` body form is accepted beside the header.
    const SECURE_HASH: bool;
    /// The route takes a JSON body; without one the header signs `<METHOD> <path?query>`.
    const BODY: bool;
    /// The reference did not sign this route: an organization in compatibility mode may call it
    /// with its token alone (a signature, when sent, is still checked).
    const REFERENCE_UNSIGNED: bool = false;
}

/// Mutating routes with a body: the header only.
pub struct HeaderOnly;
/// The reference's signed routes (register, booksession, cancelbooking): `secureHash` or header.
pub struct SecureHashOrHeader;
/// Mutating routes with a body that the reference did not sign (assessment answers): the header,
/// or for an organization in compatibility mode the token alone.
pub struct HeaderOrReferenceToken;
/// Mutating routes without a body (erasure): the header over method and path.
pub struct NoBody;
/// Reading routes that still need a signature (personal-data export): the header over method and path.
pub struct NoBodyRead;
/// The signature-checking route: either form, changes nothing.
pub struct Diagnostic;

impl SigningPolicy for HeaderOnly {
    const MUTATING: bool = true;
    const SECURE_HASH: bool = false;
    const BODY: bool = true;
}
impl SigningPolicy for SecureHashOrHeader {
    const MUTATING: bool = true;
    const SECURE_HASH: bool = true;
    const BODY: bool = true;
}
impl SigningPolicy for HeaderOrReferenceToken {
    const MUTATING: bool = true;
    const SECURE_HASH: bool = false;
    const BODY: bool = true;
    const REFERENCE_UNSIGNED: bool = true;
}
impl SigningPolicy for NoBody {
    const MUTATING: bool = true;
    const SECURE_HASH: bool = false;
    const BODY: bool = false;
}
impl SigningPolicy for NoBodyRead {
    const MUTATING: bool = false;
    const SECURE_HASH: bool = false;
    const BODY: bool = false;
}
impl SigningPolicy for Diagnostic {
    const MUTATING: bool = false;
    const SECURE_HASH: bool = true;
    const BODY: bool = true;
}

/// A verified request under policy `P`.
pub struct SignedRequest<T, P: SigningPolicy> {
    pub auth: Authenticated,
    /// `None` only under `HeaderOrReferenceToken` for an organization in compatibility mode.
    pub form: Option<SignatureForm>,
    pub body: T,
    policy: PhantomData<P>,
}

/// A signed request to a route that changes data (header form).
pub type Signed<T> = SignedRequest<T, HeaderOnly>;
/// A request to a route the reference did not sign (header, or the token alone in compatibility mode).
pub type SignedUnlessReference<T> = SignedRequest<T, HeaderOrReferenceToken>;
/// A signed request to one of the reference's signed routes (`secureHash` or header).
pub type SignedCompat<T> = SignedRequest<T, SecureHashOrHeader>;
/// A signed request without a body to a route that changes data.
pub type SignedNoBody = SignedRequest<(), NoBody>;
/// A signed request without a body to a route that changes nothing.
pub type SignedNoBodyRead = SignedRequest<(), NoBodyRead>;
/// A request to the signature diagnostics route.
pub type SignedDiagnostic<T> = SignedRequest<T, Diagnostic>;

fn signature_error(detail: &str) -> ApiError {
    ApiError::new(Reason::InvalidSignature).with_detail(detail)
}

/// `<METHOD> <path?query>` as the client sent it (before nesting stripped the prefix).
fn request_target(parts: &Parts) -> String {
    let uri = parts.extensions.get::<OriginalUri>().map(|u| &u.0).unwrap_or(&parts.uri);
    format!("{} {}", parts.method, uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
}

/// Records a refused signature in the audit trail, then answers `error`.
async fn refuse(state: &AppState, auth: &Authenticated, parts: &Parts, why: &'static str, error: ApiError) -> Response {
    let organization = auth.organization.id;
    state
        .audit
        .record_failure(
            AuditEvent::failure("signature.failed", Some(organization), format!("org:{}", organization.get()))
                .details(json!({ "method": parts.method.as_str(), "path": parts.uri.path(), "why": why })),
        )
        .await;
    error.into_response()
}

fn without_hash(dialect: Dialect, fields: &Map<String, Value>) -> Map<String, Value> {
    let mut rest = fields.clone();
    dialect.remove_field(&mut rest, SECURE_HASH_FIELD);
    rest
}

/// A `secureHash` in `dialect`: in the reference dialect its field may be spelled in any case and
/// the names may be signed as sent or with their first letter in lower case (a PascalCase .NET
/// model's properties signed as this API names them).
fn verify_in_dialect(
    dialect: Dialect,
    shared_key: &str,
    fields: &Map<String, Value>,
    provided: &str,
) -> Result<(), SecureHashError> {
    if !dialect.is_reference() {
        return verify_secure_hash(shared_key, fields, provided);
    }
    let as_sent = without_hash(dialect, fields);
    let first = verify_secure_hash(shared_key, &as_sent, provided);
    if first != Err(SecureHashError::Mismatch) {
        return first;
    }
    let camel: Map<String, Value> = as_sent
        .into_iter()
        .map(|(name, value)| {
            let mut chars = name.chars();
            let lowered = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
            (lowered, value)
        })
        .collect();
    verify_secure_hash(shared_key, &camel, provided)
}

impl<T: DeserializeOwned + Send, P: SigningPolicy> FromRequest<AppState> for SignedRequest<T, P> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Partner(auth) =
            Partner::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        if P::MUTATING {
            auth.require_full_access(state, &parts).await.map_err(IntoResponse::into_response)?;
        }
        let bytes = read_json_bytes(Request::from_parts(parts.clone(), body), state).await?;
        if !P::BODY && !bytes.is_empty() {
            return Err(ApiError::validation("body", "this route takes no request body").into_response());
        }
        let target = request_target(&parts);
        let dialect = Dialect::of(&auth.organization);
        let shared_key =
            state.config.secrets.master_key.unseal(&auth.organization.shared_key_sealed).map_err(ApiError::internal)?;

        let header = parts.headers.get(SIGNATURE_HEADER).cloned();
        let (form, value) = if let Some(header) = header {
            let Some(parsed) = header.to_str().ok().and_then(|h| SignatureHeader::parse(h).ok()) else {
                let error = signature_error("the X-Tahoon-Signature header must look like t=<unix seconds>,v1=<hex>");
                return Err(refuse(state, &auth, &parts, "header signature malformed", error).await);
            };
            let signed: &[u8] = if P::BODY { &bytes } else { target.as_bytes() };
            let now = state.clock.now();
            let signature = match parsed.verify(&shared_key, signed, now.as_second()) {
                Ok(signature) => signature.to_string(),
                Err(e) => {
                    return Err(refuse(
                        state,
                        &auth,
                        &parts,
                        "header signature mismatch",
                        signature_error(&e.to_string()),
                    )
                    .await);
                }
            };
            // Kept until the header's window has surely passed (whole seconds, as its `t`).
            let expires_at =
                Timestamp::from_second(now.as_second() + 2 * HEADER_TOLERANCE_SECS).unwrap_or(Timestamp::MAX);
            let fresh = state
                .store
                .record_signature(auth.organization.id, &signature, expires_at, now)
                .await
                .map_err(|e| ApiError::from(e).into_response())?;
            if !fresh {
                let error = signature_error("this signature was already used; sign each request anew");
                return Err(refuse(state, &auth, &parts, "header signature replayed", error).await);
            }
            (Some(SignatureForm::Header), if P::BODY { parse_value(&bytes)? } else { Value::Null })
        } else if P::REFERENCE_UNSIGNED && dialect.is_reference() && !auth.organization.require_signature_header {
            (None, parse_value(&bytes)?)
        } else if !P::BODY {
            let error = signature_error(
                "a request without a body is signed with X-Tahoon-Signature over \"<t>.<METHOD> <path?query>\"",
            );
            return Err(
                refuse(state, &auth, &parts, "header signature missing on a request without a body", error).await
            );
        } else if !P::SECURE_HASH {
            let error = signature_error(
                "this route is signed with the X-Tahoon-Signature header (secureHash is accepted only on \
                 register, booksession and cancelbooking)",
            );
            return Err(refuse(state, &auth, &parts, "header signature required by the route", error).await);
        } else if auth.organization.require_signature_header {
            let error = signature_error("this organization requires the X-Tahoon-Signature header");
            return Err(refuse(state, &auth, &parts, "header signature required", error).await);
        } else {
            let value = parse_value(&bytes)?;
            let Value::Object(fields) = &value else {
                return Err(ApiError::validation("body", "must be a JSON object").into_response());
            };
            let Some(Value::String(provided)) = dialect.field(fields, SECURE_HASH_FIELD) else {
                let error = ApiError::field(
                    Reason::InvalidSignature,
                    SECURE_HASH_FIELD,
                    "is required (or sign with the X-Tahoon-Signature header)",
                );
                return Err(refuse(state, &auth, &parts, "secureHash missing", error).await);
            };
            match verify_in_dialect(dialect, &shared_key, fields, provided) {
                Ok(()) => {}
                Err(SecureHashError::NothingSigned) => {
                    let error = ApiError::field(
                        Reason::InvalidSignature,
                        SECURE_HASH_FIELD,
                        SecureHashError::NothingSigned.to_string(),
                    );
                    return Err(refuse(state, &auth, &parts, "secureHash signs nothing", error).await);
                }
                Err(SecureHashError::Mismatch) => {
                    // The string we signed helps the partner find the difference; it holds nothing secret.
                    let error = ApiError::field(Reason::InvalidSignature, SECURE_HASH_FIELD, "does not match the body")
                        .with_data(json!({ "canonicalString": canonical_string(&without_hash(dialect, fields)) }));
                    return Err(refuse(state, &auth, &parts, "secureHash mismatch", error).await);
                }
            }
            (Some(SignatureForm::SecureHash), value)
        };

        let value = match value {
            Value::Object(mut fields) => {
                dialect.remove_field(&mut fields, SECURE_HASH_FIELD);
                Value::Object(fields)
            }
            other => other,
        };
        // After the signature, which covers the ids as the partner sent them.
        let mut value = value;
        reference_ids::resolve_in_body(state, Some(auth.organization.id), &mut value).await;
        let body: T = dialect.decode(value)?;
        if P::MUTATING
            && let Some(slot) = parts.extensions.get::<IdempotencySlot>()
        {
            idempotency::claim(state, slot, auth.organization.id, &target, &bytes).await?;
        }
        Ok(SignedRequest { auth, form, body, policy: PhantomData })
    }
}
