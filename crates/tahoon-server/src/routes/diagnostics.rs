//! `POST /diagnostics/signature`: lets a partner check its signing code against the server.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::{SignatureForm, SignedDiagnostic};
use crate::openapi::{OrganizationId, ReadErrors};
use serde::Serialize;
use serde_json::{Map, Value};
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureCheck {
    pub verified: bool,
    /// Which form carried the signature: `secureHash` or `header`.
    pub form: SignatureForm,
    /// The organization whose shared key verified it.
    #[schema(value_type = OrganizationId)]
    pub organization_id: String,
}

/// Check a request signature.
///
/// Send any JSON object signed as a mutating route would be (`secureHash` field or
/// `X-Tahoon-Signature` header). A match answers 200; a mismatch answers 401 InvalidSignature,
/// and for the `secureHash` form its `data.canonicalString` is the exact string the server
/// signed, to compare with yours. Changes nothing; any role may call it.
#[utoipa::path(
    post,
    path = "/diagnostics/signature",
    tag = "diagnostics",
    request_body = Object,
    security(("bearer" = [], "signature" = []), ("bearer" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["secureHash", "header"], "signs": "body"}))),
    responses(
        (status = 200, description = "The signature verified", body = Envelope<SignatureCheck>),
        ReadErrors
    )
)]
pub async fn check_signature(
    state: axum::extract::State<crate::state::AppState>,
    request: SignedDiagnostic<Map<String, Value>>,
) -> ApiResult<Success<SignatureCheck>> {
    // This route's policy never lets a request through unsigned.
    let form = request.form.ok_or_else(|| ApiError::new(Reason::InvalidSignature))?;
    Ok(Success(SignatureCheck {
        verified: true,
        form,
        organization_id: state.ids.encode(request.auth.organization.id),
    }))
}
