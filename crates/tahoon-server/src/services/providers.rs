//! The operator's provider format (import, export, availability), its validation, and import.
//!
//! One JSON shape serves `tahoon provider import`, `POST /api/v1/admin/careproviders/import` and
//! `GET /api/v1/admin/careproviders/{id}` (which answers in the same shape, so an export can be
//! edited and imported again).

mod availability_input;
mod input;
pub use availability_input::*;
pub use input::*;

use crate::services::audit::AuditEvent;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;
use tahoon_domain::availability::{BookingPolicy, DatedException, WeeklyRule};
use tahoon_domain::ids::CareProviderId;
use tahoon_domain::provider::CareProvider;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub created: i64,
    pub updated: i64,
    /// In input order.
    pub care_provider_ids: Vec<String>,
}

/// Validates every provider first (nothing is written if one is invalid), then upserts each;
/// `progress` is called after each one. Importing the same file twice changes nothing.
pub async fn import(
    state: &AppState,
    inputs: &[ProviderInput],
    actor: &str,
    progress: impl Fn(usize),
) -> ServiceResult<ImportReport> {
    let known = KnownIds::load(state).await?;
    let mut seen = HashSet::new();
    let mut parsed = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let provider = input.parse(&format!("providers[{i}]."), &known)?;
        if !seen.insert(provider.external_id.clone()) {
            return Err(
                Refusal::validation(format!("providers[{i}].externalId"), "appears twice in this import").into()
            );
        }
        parsed.push(provider);
    }
    let now = state.clock.now();
    let mut report = ImportReport { created: 0, updated: 0, care_provider_ids: Vec::with_capacity(parsed.len()) };
    for (i, provider) in parsed.iter().enumerate() {
        let (id, created) = state.store.upsert_care_provider(provider, now).await?;
        if created {
            report.created += 1;
        } else {
            report.updated += 1;
        }
        report.care_provider_ids.push(state.ids.encode(id));
        progress(i + 1);
    }
    state.directory.changed().await;
    state
        .audit
        .record(
            AuditEvent::success("careprovider.imported", None, actor)
                .details(json!({ "created": report.created, "updated": report.updated })),
        )
        .await?;
    Ok(report)
}

/// One provider, active or not (operator).
pub async fn provider(state: &AppState, provider_id: CareProviderId) -> ServiceResult<CareProvider> {
    let found = state.store.care_provider(provider_id).await?;
    Ok(found.ok_or_else(|| Refusal::new(Reason::NotFound).with_detail("no such care provider"))?)
}

/// Replaces a provider's availability (operator), audited; answers the provider as stored.
pub async fn set_availability(
    state: &AppState,
    provider_id: CareProviderId,
    policy: BookingPolicy,
    weekly: &[WeeklyRule],
    exceptions: &[DatedException],
    actor: &str,
) -> ServiceResult<CareProvider> {
    let now = state.clock.now();
    if !state.store.set_provider_availability(provider_id, policy, weekly, exceptions, now).await? {
        return Err(Refusal::new(Reason::NotFound).with_detail("no such care provider").into());
    }
    state.directory.changed().await;
    state
        .audit
        .record(
            crate::services::audit::AuditEvent::success("careprovider.availability_set", None, actor)
                .details(serde_json::json!({ "careProvider": provider_id.get() })),
        )
        .await?;
    provider(state, provider_id).await
}
