//! A user's personal data over HTTP: export and erasure and their audit; read-only keys cannot
//! register.

use crate::helpers::*;
use crate::user::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

async fn export_and_erasure(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let user = new_user(&app, &p, "PD-1").await;
    // A free-text answer, through an operator instrument.
    let definition = json!({
        "code": "NOTE", "namePLang": "Note", "nameSLang": "ملاحظة",
        "questions": [{"textPLang": "How are you?", "textSLang": "كيف حالك؟", "type": "text", "scored": false}],
        "bands": [{"min": 0, "max": 0, "code": "none", "namePLang": "None", "nameSLang": "لا شيء"}]
    });
    let added: Value = app
        .http
        .post(app.url("/api/v1/admin/instruments"))
        .bearer_auth(OPERATOR)
        .json(&definition)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let q = added["data"]["firstQuestionId"].as_i64().unwrap();
    let (status, _) =
        submit(&app, &p, json!({"userId": user, "answers": [{"questionId": q, "answerText": "Worried about exams"}]}))
            .await;
    assert_eq!(status, 200);
    let (status, _) = submit(&app, &p, json!({"userId": user, "answers": answers(2, 7, 6, None)})).await;
    assert_eq!(status, 200);

    let send = |method: reqwest::Method, path: String, signature: Option<String>| {
        let mut request = app.http.request(method, app.url(&path)).bearer_auth(&p.token);
        if let Some(signature) = signature {
            request = request.header("x-tahoon-signature", signature);
        }
        request.send()
    };
    let export_path = format!("/api/v1/user/{user}/export");
    // Unsigned: refused. Signed over another path: refused.
    let response = send(reqwest::Method::GET, export_path.clone(), None).await.unwrap();
    assert_eq!(response.status(), 401);
    let wrong = header_signature(&p.org.shared_key, &format!("GET /api/v1/user/{user}/exportX"), now());
    assert_eq!(send(reqwest::Method::GET, export_path.clone(), Some(wrong)).await.unwrap().status(), 401);
    let signature = header_signature(&p.org.shared_key, &format!("GET {export_path}"), now());
    let response = send(reqwest::Method::GET, export_path.clone(), Some(signature)).await.unwrap();
    assert_eq!(response.status(), 200);
    let export: Value = response.json().await.unwrap();
    let data = &export["data"];
    assert_eq!(
        (data["user"]["referenceId"].as_str(), data["user"]["name"].as_str(), data["user"]["dob"].as_str()),
        (Some("PD-1"), Some("Layla Al-Harbi"), Some("1990-05-15"))
    );
    assert_eq!(data["assessments"].as_array().unwrap().len(), 2);
    assert!(export.to_string().contains("Worried about exams"));

    // Erasure: signed over DELETE and the path; needs the header.
    let erase_path = format!("/api/v1/user/{user}");
    let response = send(reqwest::Method::DELETE, erase_path.clone(), None).await.unwrap();
    assert_eq!(response.status(), 401);
    let signature = header_signature(&p.org.shared_key, &format!("DELETE {erase_path}"), now());
    let response = send(reqwest::Method::DELETE, erase_path.clone(), Some(signature.clone())).await.unwrap();
    assert_eq!(response.status(), 200);
    let erased: Value = response.json().await.unwrap();
    assert_eq!(erased["data"]["erased"], true);
    // The same signature again is a replay.
    assert_eq!(send(reqwest::Method::DELETE, erase_path.clone(), Some(signature)).await.unwrap().status(), 401);

    // The user is gone for every route; scores stay, anonymous, free text removed. (A new
    // timestamp: the same request signed in the same second is the same signature, a replay.)
    let signature = header_signature(&p.org.shared_key, &format!("GET {export_path}"), now() + 1);
    let response = send(reqwest::Method::GET, export_path.clone(), Some(signature)).await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 400, 18, Some("userId"));
    let user_row = app.state.ids.decode::<tahoon_domain::ids::kind::User>(&user).unwrap();
    let org_row = app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&p.org.id).unwrap();
    let kept = app.state.store.assessments(org_row, user_row).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|a| a.answers.iter().all(|x| x.text.is_none())));
    assert!(app.state.store.pending_events(100).await.unwrap().iter().any(|e| e.event_type == "user.erased"));
    // The reference id is free again: a new, different user.
    let again = new_user(&app, &p, "PD-1").await;
    assert_ne!(again, user);

    // Every step is audited, without personal data.
    let entries = app.state.store.audit_entries(0, 1000).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.content.action.as_str()).collect();
    for action in ["user.registered", "assessment.submitted", "user.exported", "user.erased", "signature.failed"] {
        assert!(actions.contains(&action), "{action} audited");
    }
    for e in &entries {
        for secret in ["Layla", "1990-05-15", "Worried", "PD-1"] {
            assert!(!e.content.details.contains(secret), "no personal data in the audit log: {}", e.content.details);
        }
    }
}

async fn read_only_keys_cannot_register(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app
        .create_org(
            tahoon_domain::organization::OrganizationKind::Standard,
            tahoon_domain::organization::Role::ReadOnly,
            false,
        )
        .await;
    let token = app.access_token(&org).await;
    let (status, _, body) = app.post(REGISTER, &token, &signed(&org.shared_key, person("RO"))).await;
    assert_envelope(status, &body, 403, 103, None);
}

tahoon_store::backend_tests!(export_and_erasure, read_only_keys_cannot_register);
