//! `GET /careprovider/getcataloguedataforfilters`.

use super::views::CatalogueEntry;
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::openapi::Unauthorized;
use crate::services::directory;
use crate::state::AppState;
use axum::extract::State;
use serde::Serialize;
use tahoon_domain::catalogue::CatalogueKind;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FilterCatalogue {
    pub languages_list: Vec<CatalogueEntry>,
    pub specialties_list: Vec<CatalogueEntry>,
    pub experience_levels_list: Vec<CatalogueEntry>,
    pub provider_levels_list: Vec<CatalogueEntry>,
}

/// Filter options for provider search.
///
/// Languages, specialties, experience levels and provider levels (Junior, Senior, Consultant),
/// each named in English (`namePLang`) and Arabic (`nameSLang`).
#[utoipa::path(
    get,
    path = "/careprovider/getcataloguedataforfilters",
    tag = "careprovider",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The filter catalogue", body = Envelope<FilterCatalogue>),
        (status = 401, response = Unauthorized),
        (status = 429, response = crate::openapi::TooManyRequests)
    )
)]
pub async fn get_catalogue(State(state): State<AppState>, _: Partner) -> ApiResult<Success<FilterCatalogue>> {
    let items = directory::catalogue(&state).await?;
    let of = |kind: CatalogueKind| items.iter().filter(|i| i.kind == kind).map(CatalogueEntry::from).collect();
    Ok(Success(FilterCatalogue {
        languages_list: of(CatalogueKind::Language),
        specialties_list: of(CatalogueKind::Specialty),
        experience_levels_list: of(CatalogueKind::ExperienceLevel),
        provider_levels_list: of(CatalogueKind::ProviderLevel),
    }))
}
