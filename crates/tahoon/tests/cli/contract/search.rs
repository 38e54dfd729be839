//! 3.1–3.3: provider search with and without filters, a provider's schedule and profile.

use super::*;

const SEARCH: &str = "/careprovider/getcareproviderslistwithschedule";

/// The inventory's `filterCriteriaObject`, as its example gives it.
fn inventory_filter() -> Value {
    json!({"genderType": 0, "languageIds": [1, 2], "specialtyIds": [3, 5], "experienceLevel": 2,
        "serviceProviderLevel": 3, "minPrice": 100, "maxPrice": 500})
}

/// Whether a listed provider passes `filter` (camelCase names), as the inventory describes the
/// criteria: gender, any of the languages, any of the specialties, levels, price range.
fn passes(listing: &Value, filter: &Value) -> bool {
    let ids = |list: &str| -> Vec<i64> {
        listing[list].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    let any_of = |list: &str, wanted: &str| {
        let have = ids(list);
        filter[wanted].as_array().unwrap().iter().any(|w| have.contains(&w.as_i64().unwrap()))
    };
    let price = listing["slotDurationType"]["price"].as_f64().unwrap();
    listing["genderType"] == filter["genderType"]
        && any_of("languagesList", "languageIds")
        && any_of("specialtiesList", "specialtyIds")
        && listing["experienceLevel"]["id"] == filter["experienceLevel"]
        && listing["serviceProviderLevel"]["id"] == filter["serviceProviderLevel"]
        && filter["minPrice"].as_f64().unwrap() <= price
        && price <= filter["maxPrice"].as_f64().unwrap()
}

/// `value` with every property name in PascalCase, as .NET writes its models.
fn pascal_case(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, field)| {
                    let mut chars = name.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
                    (first.chain(chars).collect(), pascal_case(field))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn ids_of(list: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = list.iter().map(|p| p["userLoginInfoId"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

/// `data` of a search: every match on one page of at most 500, the date asked for.
fn every_match(data: &Value, date: &str) -> Vec<Value> {
    let list = data["careProvidersList"].as_array().unwrap().clone();
    assert_eq!(
        (data["totalCount"].as_u64(), data["page"].as_i64(), data["pageSize"].as_i64(), data["scheduleDate"].as_str()),
        (Some(list.len() as u64), Some(1), Some(500), Some(date)),
        "{data}"
    );
    list
}

/// The partner's provider in `list`, checked field by field; `free` are the local hours it
/// offers that day.
pub(crate) fn check_listing(list: &[Value], p: &ExpectedProvider, catalogue: &Value, day: &Day, free: &[i8]) {
    let listing = list.iter().find(|l| l["userLoginInfoId"] == p.id.as_str()).unwrap_or_else(|| {
        panic!("{} not among {:?}", p.id, ids_of(list));
    });
    check_provider(listing, p, catalogue);
    check_day(&listing["availableSlotsList"], &listing["availableScheduleHoursList"], day, free);
}

/// The fields search and profile share.
fn check_provider(listing: &Value, p: &ExpectedProvider, catalogue: &Value) {
    let shown = |field: &str| listing.get(field).unwrap_or_else(|| panic!("{field} in {listing}"));
    assert_eq!((shown("userLoginInfoId"), shown("careProviderId")), (&json!(p.id), &json!(p.id)));
    assert_eq!(shown("fullName"), &json!(p.full_name));
    assert_eq!(shown("genderType"), &json!(p.gender_type));
    assert_eq!(shown("languagesList"), &entries(catalogue, "languagesList", &p.language_ids));
    assert_eq!(shown("specialtiesList"), &entries(catalogue, "specialtiesList", &p.specialty_ids));
    assert_eq!(shown("experienceYears"), &json!(p.experience_years));
    assert_eq!(shown("experienceLevel")["id"], p.experience_level);
    assert_eq!(shown("serviceProviderLevel")["id"], p.provider_level);
    assert_eq!(shown("profileImageUrl"), &json!(p.profile_image_url));
    assert_eq!(shown("rating").as_f64(), Some(p.rating));
    assert_eq!(shown("slotDurationType"), &json!({"durationMinutes": 60, "price": p.price, "currency": "SAR"}));
}

/// A day's slots and hours: one 60-minute slot starting at each of `free`, in the caller's zone.
pub(crate) fn check_day(slots: &Value, hours: &Value, day: &Day, free: &[i8]) {
    let slots = slots.as_array().unwrap_or_else(|| panic!("availableSlotsList: {slots}"));
    let hours = hours.as_array().unwrap_or_else(|| panic!("availableScheduleHoursList: {hours}"));
    let starts: Vec<&str> = slots.iter().map(|s| s["slotStartTime"].as_str().unwrap()).collect();
    assert_eq!(starts, free.iter().map(|h| clock(*h)).collect::<Vec<_>>(), "the day's slots");
    for (slot, &h) in slots.iter().zip(free) {
        let id = slot["applicationMultiSlotId"].as_str().unwrap_or_default().to_string();
        assert!(id.starts_with("slot_"), "{slot}");
        let expected = json!({"slotDate": day.date(), "slotStartTime": clock(h), "slotEndTime": clock(h + 1),
            "startUtc": day.utc(h), "endUtc": day.utc(h + 1), "durationMinutes": 60, "applicationMultiSlotId": id});
        assert_eq!(slot, &expected);
    }
    let expected: Vec<Value> = free
        .iter()
        .map(|&h| {
            json!({"slotDate": day.date(), "hourStartTime": clock(h), "hourEndTime": clock(h + 1), "availableSlotsCount": 1})
        })
        .collect();
    assert_eq!(hours, &expected);
}

/// 3.1 POST /api/careprovider/getcareproviderslistwithschedule.
pub(crate) async fn search(client: &Client<'_>, partner: &ContractPartner, catalogue: &Value, user: &str, day: &Day) {
    let p = &partner.provider;
    let open: Vec<i8> = (p.opens..p.closes).collect();
    let date = day.date();

    // No filter, no paging, no zone: every provider on one page, in the organization's zone.
    let data = client.post(SEARCH, DOTNET, &json!({"ScheduleDate": date})).await.ok().clone();
    let all = every_match(&data, &date);
    assert_eq!(all.len(), partner.providers_in_directory, "{:?}", ids_of(&all));
    check_listing(&all, p, catalogue, day, &open);
    let default_zone = data["timeZone"].clone();

    // The inventory's request as it stands, as a guest: the filter decides, the offset is the
    // organization's, so the slots are the same.
    let example = json!({"userId": "", "scheduleDate": date, "gmtTimeDiffrenceHours": 3, "applyFilter": true,
        "filterCriteriaObject": inventory_filter()});
    let data = client.post(SEARCH, JSON, &example).await.ok().clone();
    assert_eq!(data["timeZone"], default_zone, "gmtTimeDiffrenceHours 3 is the organization's +03:00");
    let found = every_match(&data, &date);
    let expected: Vec<Value> = all.iter().filter(|l| passes(l, &inventory_filter())).cloned().collect();
    assert_eq!(ids_of(&found), ids_of(&expected), "the inventory's filter");
    for listing in &found {
        let before = all.iter().find(|l| l["userLoginInfoId"] == listing["userLoginInfoId"]).unwrap();
        assert_eq!(listing, before, "the same provider, the same slots");
    }
    // The same request from a .NET client, as a user: PascalCase at every level, text/json.
    let mut as_user = example.clone();
    as_user["userId"] = user.into();
    let data = client.post(SEARCH, DOTNET, &pascal_case(&as_user)).await.ok().clone();
    assert_eq!(ids_of(&every_match(&data, &date)), ids_of(&expected), "the inventory's filter in PascalCase");

    // PascalCase, as a user, numbers as text, a filter the partner's provider passes.
    let mine = json!({"genderType": p.gender_type, "languageIds": [p.language_ids[0]],
        "specialtyIds": [p.specialty_ids[p.specialty_ids.len() - 1]], "experienceLevel": p.experience_level,
        "serviceProviderLevel": p.provider_level, "minPrice": p.price, "maxPrice": p.price});
    let pascal = json!({"UserId": user, "ScheduleDate": format!("{date}T00:00:00"), "GmtTimeDiffrenceHours": "3",
        "ApplyFilter": true, "FilterCriteriaObject": {
            "GenderType": p.gender_type, "LanguageIds": mine["languageIds"], "SpecialtyIds": mine["specialtyIds"],
            "ExperienceLevel": p.experience_level.to_string(), "ServiceProviderLevel": p.provider_level,
            "MinPrice": p.price.to_string(), "MaxPrice": p.price}, "DeviceType": 2});
    let data = client.post(SEARCH, DOTNET, &pascal).await.ok().clone();
    let found = every_match(&data, &date);
    let expected: Vec<Value> = all.iter().filter(|l| passes(l, &mine)).cloned().collect();
    assert_eq!(ids_of(&found), ids_of(&expected), "the provider's own filter");
    check_listing(&found, p, catalogue, day, &open);

    // The other gender: the provider is left out.
    let other = json!({"ScheduleDate": date, "ApplyFilter": true,
        "FilterCriteriaObject": {"GenderType": 1 - p.gender_type}});
    let data = client.post(SEARCH, DOTNET, &other).await.ok().clone();
    let found = every_match(&data, &date);
    assert!(!found.is_empty() || partner.providers_in_directory == 1);
    assert!(found.iter().all(|l| l["genderType"] == 1 - p.gender_type), "{data}");
    // An unknown user is the error table's UserNotFound.
    let stranger = json!({"UserId": "VXNlckxvZ2luLTk5OTk5", "ScheduleDate": date});
    client.post(SEARCH, DOTNET, &stranger).await.refused(400, 18, Some("userId"));
}

/// 3.2 POST /api/careprovider/getcareproviderschedule, 3.3 …/getcareprovidersprofiledata.
pub(crate) async fn schedule_and_profile(
    client: &Client<'_>,
    partner: &ContractPartner,
    catalogue: &Value,
    user: &str,
    day: &Day,
) {
    let p = &partner.provider;
    let open: Vec<i8> = (p.opens..p.closes).collect();
    let date = day.date();
    let body = json!({"CareProviderId": p.id, "UserId": user, "ScheduleDate": format!("{date}T00:00:00"),
        "GmtTimeDiffrenceHours": 3, "LanguageCode": "en"});
    let data = client.post("/careprovider/getcareproviderschedule", DOTNET, &body).await.ok().clone();
    assert_eq!((&data["careProviderId"], data["scheduleDate"].as_str()), (&json!(p.id), Some(date.as_str())));
    assert_eq!(data["slotDurationType"], json!({"durationMinutes": 60, "price": p.price, "currency": "SAR"}));
    check_day(&data["availableSlotsList"], &data["availableScheduleHoursList"], day, &open);

    let example = json!({"careProviderId": p.id, "userId": user, "scheduleDate": date, "gmtTimeDiffrenceHours": 3});
    let same = client.post("/careprovider/getcareproviderschedule", JSON, &example).await.ok().clone();
    assert_eq!(same, data, "the inventory's request, camelCase");

    let data = client.post("/careprovider/getcareprovidersprofiledata", JSON, &json!({"careProviderId": p.id})).await;
    let profile = data.ok();
    check_provider(profile, p, catalogue);
    assert_eq!(profile["sessionRatesList"], json!([{"durationMinutes": 60, "price": p.price, "currency": "SAR"}]));
    assert_eq!(profile["timeZone"], "Asia/Riyadh");
    for list in ["educationList", "certificationsList"] {
        assert!(profile[list].is_array(), "{list}: {profile}");
    }
    for text in ["shortBioPLang", "shortBioSLang", "longBioPLang", "longBioSLang", "firstNamePLang", "lastNamePLang"] {
        assert!(profile[text].is_string(), "{text}: {profile}");
    }
    let pascal = client
        .post("/careprovider/getcareprovidersprofiledata", DOTNET, &json!({"CareProviderId": p.id, "UserId": user}))
        .await;
    assert_eq!(pascal.ok(), profile);
    let unknown = json!({"careProviderId": "Q2FyZVByb3ZpZGVyLTk5OQ"});
    client.post("/careprovider/getcareprovidersprofiledata", JSON, &unknown).await.refused(
        404,
        104,
        Some("careProviderId"),
    );
}
