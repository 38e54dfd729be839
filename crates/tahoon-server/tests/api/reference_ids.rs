//! Reference ids (issue 14): the ids a partner stored from the reference system, kept as aliases
//! of imported records, are accepted in bodies, paths and queries by every organization; a
//! compatibility-mode organization is answered with them.

use crate::careprovider::soon;
use crate::compat::reference_partner;
use crate::helpers::*;
use crate::sessionbooking::{BOOK, CANCEL, setup, slots, user};
use serde_json::json;
use tahoon_domain::ids::kind;
use tahoon_store::{AliasKind, Backend};

const PROVIDER_ALIAS: &str = "Q2FyZVByb3ZpZGVyLTUwMQ";
const USER_ALIAS: &str = "VXNlckxvZ2luLTcwMDE";

/// Gives the record behind `public` (of `kind`) its reference alias, as the import does.
async fn alias(app: &TestApp, kind: AliasKind, public: &str, alias: &str) {
    let row = match kind {
        AliasKind::User => app.state.ids.decode::<kind::User>(public).unwrap().get(),
        AliasKind::CareProvider => app.state.ids.decode::<kind::CareProvider>(public).unwrap().get(),
        AliasKind::Booking => app.state.ids.decode::<kind::Booking>(public).unwrap().get(),
        AliasKind::Organization => app.state.ids.decode::<kind::Organization>(public).unwrap().get(),
    };
    assert!(app.state.store.set_alias(kind, row, alias).await.unwrap());
}

async fn aliases_are_accepted_wherever_ids_are(backend: Backend) {
    let (app, provider) = setup(backend).await;
    alias(&app, AliasKind::CareProvider, &provider, PROVIDER_ALIAS).await;
    let p = app.partner().await;
    let me = user(&app, &p, "ORG-USER-123").await;
    alias(&app, AliasKind::User, &me, USER_ALIAS).await;
    let date = soon();

    // In a body: the schedule and a booking by aliases alone.
    let free = slots(&app, &p, PROVIDER_ALIAS, &date).await;
    assert_eq!(free.len(), 3, "the provider's alias names the provider");
    let (status, booked) = app
        .send(
            &p,
            BOOK,
            json!({"userId": USER_ALIAS, "careProviderId": PROVIDER_ALIAS, "applicationMultiSlotId": free[0].0}),
        )
        .await;
    assert_eq!((status, booked["reason"].as_i64()), (200, Some(0)), "{booked}");
    // A strict organization is answered with this API's ids.
    assert_eq!(booked["data"]["userId"].as_str(), Some(me.as_str()));
    assert_eq!(booked["data"]["careProviderId"].as_str(), Some(provider.as_str()));
    let booking = booked["data"]["bookingId"].as_str().unwrap().to_string();
    let booking_alias = "U2Vzc2lvbkJvb2tpbmctOTAwMQ";
    alias(&app, AliasKind::Booking, &booking, booking_alias).await;

    // In a path and in a query.
    let (status, _, found) = get(&app, &format!("/api/v1/sessionbooking/{booking_alias}"), &p.token).await;
    assert_eq!((status, found["data"]["bookingId"].as_str()), (200, Some(booking.as_str())), "{found}");
    let (status, _, history) = get(&app, &format!("/api/user/bookings?userId={USER_ALIAS}"), &p.token).await;
    assert_eq!((status, history["data"]["totalCount"].as_i64()), (200, Some(1)), "{history}");

    // Another organization cannot use this organization's user or booking aliases; the
    // provider's alias is everyone's, as providers are.
    let other = app.partner().await;
    let (status, answer) =
        app.send(&other, BOOK, json!({"userId": USER_ALIAS, "applicationMultiSlotId": free[1].0})).await;
    assert_envelope(status, &answer, 400, 18, Some("userId"));
    let (status, _, answer) = get(&app, &format!("/api/v1/sessionbooking/{booking_alias}"), &other.token).await;
    assert_eq!((status, answer["reason"].as_i64()), (404, Some(104)), "{answer}");
    assert_eq!(slots(&app, &other, PROVIDER_ALIAS, &date).await.len(), 2, "one slot is now booked");

    // Export and erasure take a user's alias in their path too.
    let (status, export) = app
        .call_signed(
            reqwest::Method::GET,
            &format!("/api/v1/user/{USER_ALIAS}/export"),
            &p.token,
            &p.org.shared_key,
            None,
        )
        .await;
    assert_eq!((status, export["data"]["user"]["referenceId"].as_str()), (200, Some("ORG-USER-123")), "{export}");

    // The operator's routes take an organization's alias.
    alias(&app, AliasKind::Organization, &p.org.id, "T3JnYW5pemF0aW9uLTEwMQ").await;
    let (status, changed) = crate::careprovider::admin(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/admin/organizations/T3JnYW5pemF0aW9uLTEwMQ",
        Some(json!({"name": "Renamed"})),
    )
    .await;
    assert_eq!((status, changed["data"]["organizationId"].as_str()), (200, Some(p.org.id.as_str())), "{changed}");

    // An unknown alias is an unknown id; the cancellation by aliases works.
    let (status, answer) = app
        .send(
            &p,
            CANCEL,
            json!({"bookingId": "bm90LWEtYm9va2luZw", "userId": USER_ALIAS, "careProviderId": PROVIDER_ALIAS}),
        )
        .await;
    assert_eq!((status, answer["reason"].as_i64()), (404, Some(104)), "{answer}");
    let (status, answer) = app
        .send(&p, CANCEL, json!({"bookingId": booking_alias, "userId": USER_ALIAS, "careProviderId": PROVIDER_ALIAS}))
        .await;
    assert_eq!((status, answer["data"]["status"].as_i64()), (200, Some(3)), "{answer}");
}

async fn compatibility_mode_answers_with_the_ids_the_partner_knows(backend: Backend) {
    let (app, provider) = setup(backend).await;
    alias(&app, AliasKind::CareProvider, &provider, PROVIDER_ALIAS).await;
    let p = reference_partner(&app).await;
    let me = user(&app, &p, "ORG-USER-123").await;
    alias(&app, AliasKind::User, &me, USER_ALIAS).await;
    let date = soon();

    // Registering the same person again answers the alias, under both names.
    let (_, again) = app
        .send(
            &p,
            "/api/user/register",
            json!({"referenceId": "ORG-USER-123", "name": "Guest", "dob": "1990-01-01", "genderType": 1}),
        )
        .await;
    assert_eq!(again["reason"], 4, "{again}");
    assert_eq!(
        (again["data"]["userId"].as_str(), again["data"]["userLoginInfoId"].as_str()),
        (Some(USER_ALIAS), Some(USER_ALIAS))
    );

    // Search lists the provider by its alias; a new booking answers the aliases of its user and
    // provider and this API's id of the new booking (it has no alias).
    let (_, _, found) =
        app.post("/api/careprovider/getcareproviderslistwithschedule", &p.token, &json!({"scheduleDate": date})).await;
    let listed = &found["data"]["careProvidersList"][0];
    assert_eq!(
        (listed["careProviderId"].as_str(), listed["userLoginInfoId"].as_str()),
        (Some(PROVIDER_ALIAS), Some(PROVIDER_ALIAS))
    );
    let slot = listed["availableSlotsList"][0]["applicationMultiSlotId"].as_str().unwrap().to_string();
    let (status, booked) = app.send(&p, BOOK, json!({"userId": USER_ALIAS, "applicationMultiSlotId": slot})).await;
    assert_eq!((status, booked["reason"].as_i64()), (200, Some(0)), "{booked}");
    assert_eq!(
        (booked["data"]["userId"].as_str(), booked["data"]["careProviderId"].as_str()),
        (Some(USER_ALIAS), Some(PROVIDER_ALIAS))
    );
    assert!(booked["data"]["bookingId"].as_str().unwrap().starts_with("bkg_"));
    // The ids without aliases pass untouched; other organizations' answers are not rewritten.
    let strict = app.partner().await;
    let (_, _, theirs) = app
        .post("/api/careprovider/getcareproviderslistwithschedule", &strict.token, &json!({"scheduleDate": date}))
        .await;
    assert_eq!(theirs["data"]["careProvidersList"][0]["careProviderId"].as_str(), Some(provider.as_str()));
}

/// A Confirmed session imported for a charity counts as taken from its balance and gets its
/// reminders: cancelled by its reference ids in time, the session comes back.
async fn an_imported_charity_session_comes_back_when_cancelled(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let p = app.partner_of(tahoon_domain::organization::OrganizationKind::Charity).await;
    let me = user(&app, &p, "CH-0042").await;
    let organization = app.state.ids.decode::<kind::Organization>(&p.org.id).unwrap();
    let starts_at = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(24 * 10)).unwrap();
    let ends_at = starts_at.checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    let imported = tahoon_store::ImportedBooking {
        organization_id: organization,
        user_id: app.state.ids.decode::<kind::User>(&me).unwrap(),
        provider_id: app.state.ids.decode::<kind::CareProvider>(&provider).unwrap(),
        starts_at,
        ends_at,
        blocks_until: ends_at,
        status: tahoon_domain::booking::BookingStatus::Confirmed,
        price_minor: 20000,
        currency: "SAR".into(),
        charity_debited: true,
        meeting: None,
        actor: "import".into(),
        reference_alias: Some("U2Vzc2lvbkJvb2tpbmctOTAwMg".into()),
        now: app.state.clock.now(),
    };
    assert_eq!(app.state.store.import_bookings(&[imported]).await.unwrap().imported, 1);
    let row = app
        .state
        .store
        .resolve_alias(AliasKind::Booking, organization, "U2Vzc2lvbkJvb2tpbmctOTAwMg")
        .await
        .unwrap()
        .unwrap();
    let reminders = app.state.store.booking_reminders(tahoon_domain::ids::Id::new(row)).await.unwrap();
    assert_eq!(reminders.iter().map(|r| r.offset_minutes).collect::<Vec<_>>(), [1440, 15], "the default offsets");
    let balance = || async { app.state.store.organization(organization).await.unwrap().unwrap().balance };
    let before = balance().await;
    let (status, cancelled) = app
        .send(&p, CANCEL, json!({"bookingId": "U2Vzc2lvbkJvb2tpbmctOTAwMg", "userId": me, "careProviderId": provider}))
        .await;
    assert_eq!((status, cancelled["data"]["balanceRestored"].as_bool()), (200, Some(true)), "{cancelled}");
    assert_eq!(balance().await, before + 1);
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let response = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

tahoon_store::backend_tests!(
    aliases_are_accepted_wherever_ids_are,
    compatibility_mode_answers_with_the_ids_the_partner_knows,
    an_imported_charity_session_comes_back_when_cancelled,
);
