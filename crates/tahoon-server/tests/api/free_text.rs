//! Free text over HTTP (issue 8, finding 12): named character references, control characters
//! (NUL above all, which PostgreSQL text cannot hold) and bidirectional overrides are refused with
//! 400 ValidationFailed naming the field, on partner and operator routes; nothing is stored; clean
//! text with `&`, Arabic with a right-to-left mark, and CRLF still pass.

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

const REGISTER: &str = "/api/v1/user/register";
const SUBMIT: &str = "/api/v1/user/submituserassessmentquestions";
const BOOK: &str = "/api/v1/sessionbooking/booksession";
const CANCEL: &str = "/api/v1/sessionbooking/cancelbooking";
const SCHEDULE: &str = "/api/v1/careprovider/getcareproviderschedule";

/// What the black-box test sent, and a few more of each kind.
const REFUSED: &[&str] = &[
    "javascript&colon;alert(1)",
    "x&quot; autofocus onfocus&equals;alert(1)",
    "Nul\u{0000}Byte",
    "a\u{202E}b",
    "\u{001b}[31m",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&ltscript&gt",
    "Bell\u{0007}",
    "carriage\rreturn",
    "del\u{007f}",
    "c1\u{0085}",
    "isolate\u{2066}x\u{2069}",
];

async fn register(app: &TestApp, p: &Partner, reference: &str, name: &str) -> (u16, Value) {
    app.send(p, REGISTER, json!({"referenceId": reference, "name": name, "dob": "1990-05-15", "genderType": 0})).await
}

async fn registration_refuses_hidden_markup_and_controls(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    for (i, name) in REFUSED.iter().enumerate() {
        let reference = format!("FT-{i}");
        let (status, body) = register(&app, &p, &reference, name).await;
        assert_envelope(status, &body, 400, 105, Some("name"));
        // Nothing was stored: the reference id is still free.
        let (status, body) = register(&app, &p, &reference, "Layla Al-Harbi").await;
        assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{name:?} left a user behind: {body}");
    }
    // The reference id is free text too.
    for (i, reference) in ["REF\u{0000}1", "REF\u{202E}2", "REF&colon;3"].iter().enumerate() {
        let (status, body) = register(&app, &p, reference, "Layla").await;
        assert_envelope(status, &body, 400, 105, Some("referenceId"));
        let (status, body) = register(&app, &p, &format!("REF-{i}"), "Layla").await;
        assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    }
    // The message says what is wrong.
    let (_, body) = register(&app, &p, "M-1", "Nul\u{0000}Byte").await;
    assert!(body["message"].as_str().unwrap().contains("control characters"), "{body}");
    let (_, body) = register(&app, &p, "M-2", "a\u{202E}b").await;
    assert!(body["message"].as_str().unwrap().contains("bidirectional"), "{body}");
    let (_, body) = register(&app, &p, "M-3", "javascript&colon;alert(1)").await;
    assert!(body["message"].as_str().unwrap().contains("character references"), "{body}");
}

async fn clean_text_still_registers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    for (i, name) in [
        "محمد\u{200F} عبد الله",
        "\u{200F}فاطمة الزهراء\u{200F}",
        "Tom & Jerry",
        "R&D; then",
        "AT&T",
        "Ren&eacute;e",
        "Zoë\u{200D}O'Neil-Núñez",
        "Dr. Sarah Ahmed",
    ]
    .iter()
    .enumerate()
    {
        let (status, body) = register(&app, &p, &format!("OK-{i}"), name).await;
        assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{name:?}: {body}");
        // Stored as sent: not decoded, not stripped.
        let user = body["data"]["userId"].as_str().unwrap();
        let path = format!("/api/v1/user/{user}/export");
        let signature = header_signature(&p.org.shared_key, &format!("GET {path}"), now());
        let response = app
            .http
            .get(app.url(&path))
            .bearer_auth(&p.token)
            .header("x-tahoon-signature", signature)
            .send()
            .await
            .unwrap();
        let export: Value = response.json().await.unwrap();
        assert_eq!(export["data"]["user"]["name"].as_str(), Some(*name), "{export}");
    }
}

/// A Confirmed booking of a fresh user, for cancellation tests.
async fn booked(app: &TestApp, p: &Partner, provider_id: &str, reference: &str, slot: usize) -> (String, String) {
    let (status, body) = register(app, p, reference, "Guest").await;
    assert_eq!(status, 200, "{body}");
    let user = body["data"]["userId"].as_str().unwrap().to_string();
    let (_, _, schedule) = app
        .post(
            SCHEDULE,
            &p.token,
            &json!({"careProviderId": provider_id, "scheduleDate": soon(), "timeZone": "Asia/Riyadh"}),
        )
        .await;
    let slot_id = schedule["data"]["availableSlotsList"][slot]["applicationMultiSlotId"].as_str().unwrap().to_string();
    let (status, body) = app.send(p, BOOK, json!({"userId": user, "applicationMultiSlotId": slot_id})).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    (user, body["data"]["bookingId"].as_str().unwrap().to_string())
}

async fn cancellation_reason_and_guest_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Amal", json!({}))]).await.remove(0);
    let p = app.partner().await;
    let (user, booking) = booked(&app, &p, &provider_id, "C-1", 0).await;
    for reason in REFUSED {
        let (status, body) = app.send(&p,
            CANCEL,
            json!({"bookingId": booking, "userId": user, "careProviderId": provider_id, "cancellationReason": reason}),
        )
        .await;
        assert_envelope(status, &body, 400, 105, Some("cancellationReason"));
    }
    // Still Confirmed: a clean reason (with CRLF and an ampersand) cancels it.
    let (status, body) = app
        .send(
            &p,
            CANCEL,
            json!({"bookingId": booking, "userId": user, "careProviderId": provider_id,
        "cancellationReason": "Feeling better.\r\nThanks to Q&A sessions"}),
        )
        .await;
    assert_eq!((status, body["data"]["statusName"].as_str()), (200, Some("Cancelled")), "{body}");

    // A guest booking's name is free text too; nothing is booked.
    let (_, _, schedule) = app
        .post(
            SCHEDULE,
            &p.token,
            &json!({"careProviderId": provider_id, "scheduleDate": soon(), "timeZone": "Asia/Riyadh"}),
        )
        .await;
    let slot = schedule["data"]["availableSlotsList"][1]["applicationMultiSlotId"].as_str().unwrap().to_string();
    let guest = |name: &str| json!({"applicationMultiSlotId": slot, "referenceId": "G-1", "name": name, "dob": "1990-01-01", "genderType": 1});
    let (status, body) = app.send(&p, BOOK, guest("Nul\u{0000}Byte")).await;
    assert_envelope(status, &body, 400, 105, Some("name"));
    let (status, body) = app.send(&p, BOOK, guest("Guest Person")).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
}

async fn assessment_answer_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let (_, body) = register(&app, &p, "A-1", "Layla").await;
    let user = body["data"]["userId"].as_str().unwrap().to_string();
    let definition = json!({
        "code": "NOTE", "namePLang": "Note", "nameSLang": "ملاحظة",
        "questions": [{"textPLang": "How are you?", "textSLang": "كيف حالك؟", "type": "text", "scored": false}],
        "bands": [{"min": 0, "max": 0, "code": "none", "namePLang": "None", "nameSLang": "لا شيء"}]
    });
    let (status, added) = admin(&app, reqwest::Method::POST, "/api/v1/admin/instruments", Some(definition)).await;
    assert_eq!(status, 200, "{added}");
    let q = added["data"]["firstQuestionId"].as_i64().unwrap();
    let submit = |text: &str| {
        let raw = json!({"userId": user, "answers": [{"questionId": q, "answerText": text}]}).to_string();
        let signature = header_signature(&p.org.shared_key, &raw, now());
        let (app, token) = (&app, p.token.clone());
        async move { app.post_header_signed(SUBMIT, &token, &raw, &signature).await }
    };
    for text in REFUSED {
        let (status, body) = submit(text).await;
        assert_envelope(status, &body, 400, 105, Some("answers[0].answerText"));
    }
    let (status, body) = submit("Worried about exams.\r\nSleeping badly &amp then better").await;
    assert_envelope(status, &body, 400, 105, Some("answers[0].answerText"));
    let (status, body) = submit("Worried about exams.\r\nSleeping badly & tired\tsometimes").await;
    assert_eq!(status, 200, "{body}");
    // Nothing refused was stored: one assessment.
    let response = app
        .http
        .get(app.url(&format!("/api/v1/user/assessments?userId={user}")))
        .bearer_auth(&p.token)
        .send()
        .await
        .unwrap();
    let history: Value = response.json().await.unwrap();
    assert_eq!(history["data"]["assessmentsList"].as_array().unwrap().len(), 1, "{history}");
}

async fn operator_routes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let post = reqwest::Method::POST;
    // Provider import: names, bios, education, certifications, the image URL.
    for (change, field) in [
        (json!({"firstNamePLang": "Nul\u{0000}Byte"}), "providers[0].firstNamePLang"),
        (json!({"lastNameSLang": "a\u{202E}b"}), "providers[0].lastNameSLang"),
        (json!({"shortBioPLang": "javascript&colon;alert(1)"}), "providers[0].shortBioPLang"),
        (json!({"longBioSLang": "\u{001b}[31m"}), "providers[0].longBioSLang"),
        (
            json!({"education": [{"degree": "M\u{0000}Sc", "institution": "KSU", "year": 2015}]}),
            "providers[0].education[0].degree",
        ),
        (
            json!({"certifications": [{"name": "CBT", "issuer": "x&quot; onfocus&equals;alert(1)", "year": 2017}]}),
            "providers[0].certifications[0].issuer",
        ),
        (json!({"profileImageUrl": "https://example.org/p\u{0000}.jpg"}), "providers[0].profileImageUrl"),
        (json!({"profileImageUrl": "https://example.org/\"onerror=\"alert(1)"}), "providers[0].profileImageUrl"),
        (json!({"timeZone": "Asia/Riyadh\u{0000}"}), "providers[0].timeZone"),
        (json!({"externalId": "X\u{0000}"}), "providers[0].externalId"),
    ] {
        let body = json!({"providers": [provider("Zed", change.clone())]});
        let (status, answer) = admin(&app, post.clone(), "/api/v1/admin/careproviders/import", Some(body)).await;
        assert_envelope(status, &answer, 400, 105, Some(field));
    }
    // Nothing was imported.
    let (status, body) = admin(
        &app,
        post.clone(),
        "/api/v1/admin/careproviders/import",
        Some(json!({"providers": [provider("Zed", json!({}))]})),
    )
    .await;
    assert_eq!((status, body["data"]["created"].as_i64()), (200, Some(1)), "{body}");

    // Catalogue names.
    let item = |name: &str| json!({"items": [{"kind": "language", "id": 90, "namePLang": name, "nameSLang": "لغة"}]});
    let (status, body) = admin(&app, reqwest::Method::PUT, "/api/v1/admin/catalogue", Some(item("Nul\u{0000}"))).await;
    assert_envelope(status, &body, 400, 105, Some("items[0].namePLang"));

    // Organization names.
    let (status, body) =
        admin(&app, post.clone(), "/api/v1/admin/organizations", Some(json!({"name": "Acme\u{0000}Health"}))).await;
    assert_envelope(status, &body, 400, 105, Some("name"));
    let (status, body) =
        admin(&app, post.clone(), "/api/v1/admin/organizations", Some(json!({"name": "\u{202E}Acme"}))).await;
    assert_envelope(status, &body, 400, 105, Some("name"));

    // Instrument definitions: every text, bands included, named by its field.
    let definition = |band_name: &str, question: &str| {
        json!({
            "code": "NOTE", "namePLang": "Note", "nameSLang": "ملاحظة",
            "questions": [{"textPLang": question, "textSLang": "كيف حالك؟", "type": "text", "scored": false}],
            "bands": [{"min": 0, "max": 0, "code": "none", "namePLang": band_name, "nameSLang": "لا شيء"}]
        })
    };
    for (body, field) in [
        (definition("None\u{0000}", "How are you?"), "bands[0].namePLang"),
        (definition("<b>None</b>", "How are you?"), "bands[0].namePLang"),
        (definition("None", "How are you\u{202E}?"), "questions[0].textPLang"),
        (definition("None", "javascript&colon;alert(1)"), "questions[0].textPLang"),
    ] {
        let (status, answer) = admin(&app, post.clone(), "/api/v1/admin/instruments", Some(body)).await;
        assert_envelope(status, &answer, 400, 105, Some(field));
    }
    let mut bad_code = definition("None", "How are you?");
    bad_code["bands"][0]["code"] = json!("none\u{0000}");
    let (status, answer) = admin(&app, post.clone(), "/api/v1/admin/instruments", Some(bad_code)).await;
    assert_envelope(status, &answer, 400, 105, Some("bands[0].code"));
    let (status, answer) =
        admin(&app, post.clone(), "/api/v1/admin/instruments", Some(definition("None", "How are you?"))).await;
    assert_eq!(status, 200, "{answer}");

    // The operator's reason for a status change.
    let provider_id = import(&app, vec![provider("Amal", json!({}))]).await.remove(0);
    let p = app.partner().await;
    let (_, booking) = booked(&app, &p, &provider_id, "S-1", 0).await;
    let path = format!("/api/v1/admin/bookings/{booking}/status");
    let (status, body) =
        admin(&app, post.clone(), &path, Some(json!({"status": "Completed", "reason": "done\u{0000}"}))).await;
    assert_envelope(status, &body, 400, 105, Some("reason"));
}

tahoon_store::backend_tests!(
    registration_refuses_hidden_markup_and_controls,
    clean_text_still_registers,
    cancellation_reason_and_guest_booking,
    assessment_answer_text,
    operator_routes,
);
