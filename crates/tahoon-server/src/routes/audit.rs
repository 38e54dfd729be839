//! `GET /audit`: the calling organization's own audit trail, page by page.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::openapi::{DateOrInstant, QueryErrors};
use crate::routes::user::bookings::instant;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::audit::AuditEntry;
use tahoon_domain::paging::{PageLimits, PageRequest};
use tahoon_store::AuditQuery;
use utoipa::{IntoParams, ToSchema};

/// 50 entries a page by default, at most 500.
const PAGE_LIMITS: PageLimits = PageLimits::new(50, 500);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AuditParams {
    /// Entries at or after this instant (RFC 3339) or date (`YYYY-MM-DD`, UTC).
    #[param(value_type = DateOrInstant, required = false)]
    pub from: Option<String>,
    /// Entries before this instant or date.
    #[param(value_type = DateOrInstant, required = false)]
    pub to: Option<String>,
    /// One action exactly, such as `token.issued` or `booking.confirmed`.
    #[param(max_length = 64, pattern = "^[a-z_]+(\\.[a-z_]+)*$")]
    pub action: Option<String>,
    /// 1-based page number, 1–1,000,000 (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Entries per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<i64>,
}

/// One audited event, as the organization sees it: what happened and when, never who the person
/// was, what was sent, or from which address.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryView {
    /// The entry's place in the server's hash chain (numbers of other organizations' entries are
    /// skipped).
    pub seq: i64,
    /// RFC 3339, UTC, to the microsecond.
    pub occurred_at: String,
    /// Who acted: `organization` (a token), `accessKey` (a sign-in), `operator`, `cli`.
    pub actor: String,
    /// What happened, dotted: `token.issued`, `user.registered`, `booking.confirmed`, …
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// The request's id (`x-request-id`), to match the entry with your own logs.
    pub request_id: Option<String>,
    /// The entry's chain hash (SHA-256, hex).
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub total_count: i64,
    pub page: i64,
    pub page_size: i64,
}

fn actor_kind(actor: &str) -> &'static str {
    match actor.split(':').next().unwrap_or_default() {
        "org" => "organization",
        "key" => "accessKey",
        "operator" => "operator",
        "cli" => "cli",
        _ => "other",
    }
}

pub(crate) fn view(entry: AuditEntry) -> AuditEntryView {
    let content = entry.content;
    AuditEntryView {
        seq: entry.seq,
        occurred_at: content.occurred_at.to_string(),
        actor: actor_kind(&content.actor).to_string(),
        action: content.action,
        outcome: content.outcome.as_str().to_string(),
        request_id: content.request_id,
        hash: entry.hash,
    }
}

/// The organization's audit trail.
///
/// The calling organization's own entries, oldest first: sign-ins, registrations, screenings,
/// bookings and their changes, key rotations, webhook changes, refused attempts on its tokens.
/// No other organization's entries, and no personal data (no names, answers or addresses; the
/// details the server keeps stay with the operator, `tahoon audit export`).
#[utoipa::path(
    get,
    path = "/audit",
    tag = "organization",
    params(AuditParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the organization's audit entries", body = Envelope<AuditPage>),
        QueryErrors
    )
)]
pub async fn list_audit(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Success<AuditPage>> {
    let page = PageRequest::new(params.page, params.page_size, PAGE_LIMITS)?;
    let from = params.from.as_deref().map(|f| instant("from", f)).transpose()?;
    let to = params.to.as_deref().map(|t| instant("to", t)).transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(ApiError::validation("to", "must not be before from"));
    }
    let action = params.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if let Some(action) = action
        && (action.len() > 64 || !action.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'))
    {
        return Err(ApiError::validation("action", "must be an action name such as token.issued"));
    }
    let query = AuditQuery {
        organization_id: Some(auth.organization.id),
        from,
        to,
        action: action.map(str::to_string),
        after_seq: 0,
        offset: page.offset(),
        limit: page.limit(),
    };
    let (entries, total) = state.store.audit_search(&query).await?;
    Ok(Success(AuditPage {
        entries: entries.into_iter().map(view).collect(),
        total_count: total,
        page: page.page(),
        page_size: page.page_size(),
    }))
}
