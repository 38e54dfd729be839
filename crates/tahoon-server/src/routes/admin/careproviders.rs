//! `/api/v1/admin/careproviders…` and `/api/v1/admin/catalogue`: the operator manages providers,
//! their availability (reference §11.5) and the filter catalogue.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::json::ApiJson;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::openapi::{
    BadRequest, CareProviderId, CatalogueKindName, CatalogueName, NotFound, OperatorErrors, Unauthorized,
};
use crate::routes::careprovider::views::CatalogueEntry;
use crate::services::directory;
use crate::services::providers::{self, AvailabilityInput, ImportReport, ProviderInput};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tahoon_domain::anti_xss::check_free_text;
use tahoon_domain::catalogue::{CatalogueItem, CatalogueKind};
use tahoon_domain::ids::{self, kind};
use tahoon_domain::reason::Reason;
use utoipa::{IntoParams, ToSchema};

const ACTOR: &str = "operator";
const MAX_IMPORT: usize = 5_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImportRequest {
    /// At most 5,000.
    #[schema(max_items = 5000)]
    pub providers: Vec<ProviderInput>,
}

/// The `{careProviderId}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct CareProviderPath {
    #[param(value_type = CareProviderId)]
    pub care_provider_id: String,
}

fn provider_id(state: &AppState, text: &str) -> ApiResult<ids::CareProviderId> {
    state
        .ids
        .decode::<kind::CareProvider>(text)
        .map_err(|_| ApiError::new(Reason::NotFound).with_detail("no such care provider"))
}

/// Create or update many providers with their availability.
///
/// Upserts by `externalId`, so importing the same document twice changes nothing. Every provider
/// is validated before any is written. The body limit applies: split very large imports, or use
/// `tahoon provider import`.
#[utoipa::path(
    post,
    path = "/careproviders/import",
    tag = "admin",
    request_body = ImportRequest,
    security(("operator" = [])),
    responses(
        (status = 200, description = "How many providers were created and updated, and their ids", body = Envelope<ImportReport>,
            links(
                ("provider" = (operation_id = "get_provider", parameters(("careProviderId" = "$response.body#/data/careProviderIds/0")))),
                ("availability" = (operation_id = "set_availability", parameters(("careProviderId" = "$response.body#/data/careProviderIds/0")))),
            )),
        OperatorErrors
    )
)]
pub async fn import_providers(
    State(state): State<AppState>,
    _: Operator,
    ApiJson(body): ApiJson<ImportRequest>,
) -> ApiResult<Success<ImportReport>> {
    if body.providers.len() > MAX_IMPORT {
        return Err(ApiError::validation("providers", format!("at most {MAX_IMPORT} per request")));
    }
    Ok(Success(providers::import(&state, &body.providers, ACTOR, |_| {}).await?))
}

/// A provider in the import format (edit and import it again to change it).
#[utoipa::path(
    get,
    path = "/careproviders/{careProviderId}",
    tag = "admin",
    params(CareProviderPath),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The provider in the import format", body = Envelope<ProviderInput>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
pub async fn get_provider(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(CareProviderPath { care_provider_id: id }): ApiPath<CareProviderPath>,
) -> ApiResult<Success<ProviderInput>> {
    let p = providers::provider(&state, provider_id(&state, &id)?).await?;
    Ok(Success(ProviderInput::from_provider(&p)))
}

/// Replace a provider's availability.
///
/// Weekly windows and dated exceptions in the provider's own time zone, minimum notice, booking
/// horizon and buffer. Takes effect on the next search.
#[utoipa::path(
    put,
    path = "/careproviders/{careProviderId}/availability",
    tag = "admin",
    params(CareProviderPath),
    request_body = AvailabilityInput,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The availability as stored", body = Envelope<AvailabilityInput>),
        OperatorErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn set_availability(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(CareProviderPath { care_provider_id: id }): ApiPath<CareProviderPath>,
    ApiJson(body): ApiJson<AvailabilityInput>,
) -> ApiResult<Success<AvailabilityInput>> {
    let id = provider_id(&state, &id)?;
    let (policy, weekly, exceptions) = body.parse("")?;
    let stored = providers::set_availability(&state, id, policy, &weekly, &exceptions, ACTOR).await?;
    Ok(Success(AvailabilityInput::from_provider(&stored)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CatalogueItemInput {
    #[schema(value_type = CatalogueKindName)]
    pub kind: CatalogueKind,
    /// 1 to 1,000,000; an existing id of the kind is renamed.
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub id: i64,
    /// The name in the primary language (English): 1–100 characters, not blank, no markup.
    #[serde(rename = "namePLang")]
    #[schema(value_type = CatalogueName)]
    pub name_plang: String,
    /// The name in the secondary language (Arabic): 1–100 characters, not blank, no markup.
    #[serde(rename = "nameSLang")]
    #[schema(value_type = CatalogueName)]
    pub name_slang: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CatalogueRequest {
    pub items: Vec<CatalogueItemInput>,
}

/// Add or rename catalogue entries.
#[utoipa::path(
    put,
    path = "/catalogue",
    tag = "admin",
    request_body = CatalogueRequest,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The entries as stored", body = Envelope<Vec<CatalogueEntry>>),
        OperatorErrors
    )
)]
pub async fn upsert_catalogue(
    State(state): State<AppState>,
    _: Operator,
    ApiJson(body): ApiJson<CatalogueRequest>,
) -> ApiResult<Success<Vec<CatalogueEntry>>> {
    let mut items = Vec::with_capacity(body.items.len());
    for (i, item) in body.items.into_iter().enumerate() {
        if !(1..=1_000_000).contains(&item.id) {
            return Err(ApiError::validation(format!("items[{i}].id"), "must be 1 to 1000000"));
        }
        for (field, name) in [("namePLang", &item.name_plang), ("nameSLang", &item.name_slang)] {
            if name.trim().is_empty() || name.chars().count() > 100 {
                return Err(ApiError::validation(format!("items[{i}].{field}"), "must be 1 to 100 characters"));
            }
            check_free_text(name).map_err(|e| ApiError::validation(format!("items[{i}].{field}"), e.to_string()))?;
        }
        items.push(CatalogueItem {
            kind: item.kind,
            id: item.id,
            name_plang: item.name_plang.trim().into(),
            name_slang: item.name_slang.trim().into(),
        });
    }
    directory::upsert_catalogue(&state, &items, ACTOR).await?;
    Ok(Success(items.iter().map(CatalogueEntry::from).collect()))
}
