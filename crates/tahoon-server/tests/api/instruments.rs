//! An operator's screening instrument with a free-text question, over HTTP.

use crate::helpers::*;
use crate::user::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

async fn operator_instrument_with_free_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let user = new_user(&app, &p, "S-4").await;
    let options = json!([{"textPLang": "No", "textSLang": "لا", "value": 0}, {"textPLang": "Yes", "textSLang": "نعم", "value": 1}]);
    let definition = json!({
        "code": "WELLBEING-2", "namePLang": "Wellbeing check", "nameSLang": "فحص العافية",
        "questions": [
            {"textPLang": "Did you sleep well?", "textSLang": "هل نمت جيداً؟", "type": "choice", "options": options},
            {"textPLang": "Do you feel unsafe?", "textSLang": "هل تشعر بعدم الأمان؟", "type": "choice", "options": options},
            {"textPLang": "What would help you most?", "textSLang": "ما الذي سيساعدك أكثر؟", "type": "text", "required": true, "scored": false}
        ],
        "bands": [{"min": 0, "max": 0, "code": "low", "namePLang": "Low", "nameSLang": "منخفض"},
                  {"min": 1, "max": 2, "code": "high", "namePLang": "High", "nameSLang": "مرتفع"}],
        "riskRules": [{"question": 2, "minValue": 1, "flag": "safety"}]
    });
    let add =
        |body: Value| app.http.post(app.url("/api/v1/admin/instruments")).bearer_auth(OPERATOR).json(&body).send();
    let response = add(definition.clone()).await.unwrap();
    assert_eq!(response.status(), 200);
    let added: Value = response.json().await.unwrap();
    let id = added["data"]["instrumentId"].as_i64().unwrap();
    assert_eq!(added["data"]["firstQuestionId"], id * 1000 + 1);
    assert_eq!(add(definition.clone()).await.unwrap().status(), 400, "code taken");
    let mut bad = definition.clone();
    bad["code"] = json!("OTHER");
    bad["bands"][1]["max"] = json!(5);
    let response = add(bad).await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 400, 105, Some("bands"));
    let mut bad = definition.clone();
    bad["code"] = json!("PHQ-9");
    assert_eq!(add(bad).await.unwrap().status(), 400, "built-in code");

    let q = |n: i64| id * 1000 + n;
    let body = json!({"userId": user, "answers": [
        {"questionId": q(1), "catScreeningQuetionOptionId": q(1) * 10},
        {"questionId": q(2), "catScreeningQuetionOptionId": q(2) * 10 + 1},
        {"questionId": q(3), "answerText": "Talking to someone in Arabic"}
    ]});
    let (status, answer) = submit(&app, &p, body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["data"]["totalScore"].as_i64(), answer["data"]["severityBand"]["code"].as_str()),
        (Some(1), Some("high"))
    );
    assert_eq!(answer["data"]["riskFlags"], json!(["safety"]));
    let mut markup = body.clone();
    markup["answers"][2]["answerText"] = json!("<img src=x onerror=alert(1)>");
    let (status, answer) = submit(&app, &p, markup).await;
    assert_envelope(status, &answer, 400, 105, Some("answers[2].answerText"));
    let mut missing = body.clone();
    missing["answers"].as_array_mut().unwrap().pop();
    let (status, answer) = submit(&app, &p, missing).await;
    assert_envelope(status, &answer, 400, 105, Some("answers"));
}

tahoon_store::backend_tests!(operator_instrument_with_free_text);
