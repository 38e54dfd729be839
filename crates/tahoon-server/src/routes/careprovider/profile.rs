//! `POST /careprovider/getcareprovidersprofiledata`.

use super::views::{CatalogueEntry, SlotDurationType, named, provider_id, provider_id_text};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::json::ApiJson;
use crate::openapi::{CareProviderId, GenderType, NotFound, ReadErrors};
use crate::services::directory::{self, catalogue_index};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::catalogue::CatalogueKind;
use tahoon_domain::provider::{Certification, Education};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRequest {
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderProfile {
    /// The provider's id (the reference's name for it).
    #[schema(value_type = CareProviderId)]
    pub user_login_info_id: String,
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    pub full_name: String,
    pub full_name_s_lang: String,
    #[serde(rename = "firstNamePLang")]
    pub first_name_plang: String,
    #[serde(rename = "lastNamePLang")]
    pub last_name_plang: String,
    #[serde(rename = "firstNameSLang")]
    pub first_name_slang: String,
    #[serde(rename = "lastNameSLang")]
    pub last_name_slang: String,
    #[schema(value_type = GenderType)]
    pub gender_type: i64,
    #[serde(rename = "shortBioPLang")]
    pub short_bio_plang: String,
    #[serde(rename = "shortBioSLang")]
    pub short_bio_slang: String,
    #[serde(rename = "longBioPLang")]
    pub long_bio_plang: String,
    #[serde(rename = "longBioSLang")]
    pub long_bio_slang: String,
    pub languages_list: Vec<CatalogueEntry>,
    pub specialties_list: Vec<CatalogueEntry>,
    pub experience_years: i64,
    pub experience_level: Option<CatalogueEntry>,
    pub service_provider_level: Option<CatalogueEntry>,
    #[schema(value_type = Vec<Object>)]
    pub education_list: Vec<Education>,
    #[schema(value_type = Vec<Object>)]
    pub certifications_list: Vec<Certification>,
    pub profile_image_url: Option<String>,
    pub rating: f64,
    pub review_count: i64,
    /// Session lengths with their prices; the first is the default (`slotDurationType`).
    pub session_rates_list: Vec<SlotDurationType>,
    pub slot_duration_type: Option<SlotDurationType>,
    pub time_zone: String,
}

/// A provider's full profile.
#[utoipa::path(
    post,
    path = "/careprovider/getcareprovidersprofiledata",
    tag = "careprovider",
    request_body = ProfileRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The provider's profile, rates and zone", body = Envelope<ProviderProfile>),
        ReadErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn provider_profile(
    State(state): State<AppState>,
    _: Partner,
    ApiJson(request): ApiJson<ProfileRequest>,
) -> ApiResult<Success<ProviderProfile>> {
    let p = directory::active_provider(&state, provider_id(&state, &request.care_provider_id)?).await?;
    let index = catalogue_index(&state).await?;
    let one = |kind, id: Option<i64>| id.and_then(|id| index.by_kind.get(&(kind, id))).map(CatalogueEntry::from);
    let id = provider_id_text(&state, &p);
    Ok(Success(ProviderProfile {
        user_login_info_id: id.clone(),
        care_provider_id: id,
        full_name: p.names.full_name(),
        full_name_s_lang: p.names.full_name_slang(),
        first_name_plang: p.names.first_plang.clone(),
        last_name_plang: p.names.last_plang.clone(),
        first_name_slang: p.names.first_slang.clone(),
        last_name_slang: p.names.last_slang.clone(),
        gender_type: p.gender.code(),
        short_bio_plang: p.bio.short_plang.clone(),
        short_bio_slang: p.bio.short_slang.clone(),
        long_bio_plang: p.bio.long_plang.clone(),
        long_bio_slang: p.bio.long_slang.clone(),
        languages_list: named(&index, CatalogueKind::Language, &p.language_ids),
        specialties_list: named(&index, CatalogueKind::Specialty, &p.specialty_ids),
        experience_years: i64::from(p.experience_years),
        experience_level: one(CatalogueKind::ExperienceLevel, p.experience_level_id),
        service_provider_level: one(CatalogueKind::ProviderLevel, p.provider_level_id),
        education_list: p.education.clone(),
        certifications_list: p.certifications.clone(),
        profile_image_url: p.profile_image_url.clone(),
        rating: p.rating,
        review_count: p.review_count,
        session_rates_list: p.rates.iter().map(SlotDurationType::from).collect(),
        slot_duration_type: p.primary_rate().map(SlotDurationType::from),
        time_zone: p.time_zone.clone(),
    }))
}
