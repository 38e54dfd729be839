//! The reminder settings routes: the organization's offsets and a user's preferences, read and
//! set over HTTP, and what they refuse.

use super::*;
use tahoon_domain::organization::Role;

pub const ORGANIZATION: &str = "/api/v1/organization/reminders";
pub const USER: &str = "/api/v1/user/reminders";

async fn organization_offsets(backend: Backend) {
    let w = world(backend).await;
    let (status, body) = w.get(ORGANIZATION).await;
    assert_eq!((status, &body["data"]), (200, &json!({"offsetsMinutes": [1440, 15]})), "the defaults: {body}");

    let (status, body) = put(&w.app, &w.p, ORGANIZATION, &json!({"offsetsMinutes": [15, 60, 15, 20160]})).await;
    assert_eq!((status, &body["data"]), (200, &json!({"offsetsMinutes": [20160, 60, 15]})), "{body}");
    let (_, body) = w.get(ORGANIZATION).await;
    assert_eq!(body["data"]["offsetsMinutes"], json!([20160, 60, 15]));

    let refused = [
        (json!({"offsetsMinutes": [0]}), "offsetsMinutes[0]"),
        (json!({"offsetsMinutes": [15, 20161]}), "offsetsMinutes[1]"),
        (json!({"offsetsMinutes": [60, 30, -5]}), "offsetsMinutes[2]"),
        (json!({"offsetsMinutes": [1, 2, 3, 4, 5, 6, 7, 8, 9]}), "offsetsMinutes"),
        (json!({"offsetsMinutes": [15], "enabled": true}), "enabled"),
        (json!({"offsetsMinutes": null}), "offsetsMinutes"),
    ];
    for (body, field) in refused {
        let (status, answer) = put(&w.app, &w.p, ORGANIZATION, &body).await;
        assert_envelope(status, &answer, 400, 105, Some(field));
    }
    // Missing: the reference's "required parameter" reason.
    for body in [json!({})] {
        let (status, answer) = put(&w.app, &w.p, ORGANIZATION, &body).await;
        assert_envelope(status, &answer, 400, 1, Some("offsetsMinutes"));
    }
    let (_, body) = w.get(ORGANIZATION).await;
    assert_eq!(body["data"]["offsetsMinutes"], json!([20160, 60, 15]), "unchanged by what was refused");

    // None at all.
    let (status, body) = put(&w.app, &w.p, ORGANIZATION, &json!({"offsetsMinutes": []})).await;
    assert_eq!((status, &body["data"]["offsetsMinutes"]), (200, &json!([])), "{body}");

    // Unsigned: refused. ReadOnly: reads, cannot set.
    let response = w
        .app
        .http
        .put(w.app.url(ORGANIZATION))
        .bearer_auth(&w.p.token)
        .json(&json!({"offsetsMinutes": [30]}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 401, 102, None);
    let ro = w.app.create_org(OrganizationKind::Standard, Role::ReadOnly, false).await;
    let ro = Partner { token: w.app.access_token(&ro).await, org: ro };
    let (status, body) = get_as(&w.app, &ro.token, ORGANIZATION).await;
    assert_eq!((status, &body["data"]["offsetsMinutes"]), (200, &json!([1440, 15])), "its own: the defaults");
    let (status, body) = put(&w.app, &ro, ORGANIZATION, &json!({"offsetsMinutes": [30]})).await;
    assert_envelope(status, &body, 403, 103, None);
}

async fn user_preferences(backend: Backend) {
    let w = world(backend).await;
    let user = w.register("RM-PREFS").await;
    let path = format!("{USER}?userId={user}");
    let (status, body) = w.get(&path).await;
    assert_eq!(status, 200, "{body}");
    let expected =
        json!({"userId": user, "enabled": true, "offsetsMinutes": null, "effectiveOffsetsMinutes": [1440, 15]});
    assert_eq!(body["data"], expected);

    // The organization's offsets apply until the user has their own.
    let (status, _) = put(&w.app, &w.p, ORGANIZATION, &json!({"offsetsMinutes": [30]})).await;
    assert_eq!(status, 200);
    let (_, body) = w.get(&path).await;
    assert_eq!(body["data"]["effectiveOffsetsMinutes"], json!([30]));
    let (status, body) =
        put(&w.app, &w.p, USER, &json!({"userId": user, "enabled": true, "offsetsMinutes": [60, 120]})).await;
    assert_eq!(status, 200, "{body}");
    let expected =
        json!({"userId": user, "enabled": true, "offsetsMinutes": [120, 60], "effectiveOffsetsMinutes": [120, 60]});
    assert_eq!(body["data"], expected);
    let (_, body) = w.get(&path).await;
    assert_eq!(body["data"], expected);

    // Off: nothing in force; the organization's offsets again when back on without offsets.
    let (status, body) = put(&w.app, &w.p, USER, &json!({"userId": user, "enabled": false})).await;
    assert_eq!(status, 200, "{body}");
    let off = json!({"userId": user, "enabled": false, "offsetsMinutes": null, "effectiveOffsetsMinutes": []});
    assert_eq!(body["data"], off);
    let (_, body) = put(&w.app, &w.p, USER, &json!({"userId": user, "enabled": true, "offsetsMinutes": null})).await;
    assert_eq!(body["data"]["effectiveOffsetsMinutes"], json!([30]));

    let refused = [
        (json!({"userId": user, "enabled": true, "offsetsMinutes": [0]}), 105, "offsetsMinutes[0]"),
        (json!({"userId": user, "enabled": true, "offsetsMinutes": [15, 20161]}), 105, "offsetsMinutes[1]"),
        (
            json!({"userId": user, "enabled": true, "offsetsMinutes": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
            105,
            "offsetsMinutes",
        ),
        (json!({"userId": user, "offsetsMinutes": [15]}), 1, "enabled"),
        (json!({"userId": user, "enabled": true, "name": "x"}), 105, "name"),
    ];
    for (body, reason, field) in refused {
        let (status, answer) = put(&w.app, &w.p, USER, &body).await;
        assert_envelope(status, &answer, 400, reason, Some(field));
    }
    let (_, body) = w.get(&path).await;
    assert_eq!(body["data"]["effectiveOffsetsMinutes"], json!([30]), "unchanged by what was refused");

    // Another organization's user, an unknown one, none at all.
    let stranger = w.app.partner().await;
    let (status, body) = get_as(&w.app, &stranger.token, &path).await;
    assert_envelope(status, &body, 400, 18, Some("userId"));
    let (status, body) = put(&w.app, &stranger, USER, &json!({"userId": user, "enabled": false})).await;
    assert_envelope(status, &body, 400, 18, Some("userId"));
    let (_, body) = w.get(&path).await;
    assert_eq!(body["data"]["enabled"], true, "the stranger changed nothing");
    let (status, body) = w.get(USER).await;
    assert_envelope(status, &body, 400, 1, Some("userId"));
}

tahoon_store::backend_tests!(organization_offsets, user_preferences);
