//! A fake LiveKit server API (Twirp, JSON). It checks `Content-Type: application/json` and the
//! bearer token as LiveKit does: HS256 with [`API_SECRET`], `iss` = [`API_KEY`], `nbf`/`exp`, and
//! the `video` grant the method needs (`roomCreate` for `CreateRoom`, `roomList` for `ListRooms`).
//! Rooms are kept by name; creating one again answers the existing room.

use crate::{serve, try_verified_claims};
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use url::Url;

pub const API_KEY: &str = "APIfake7Kq";
pub const API_SECRET: &str = "livekit-secret-never-logged-4b8c";

#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub content_type: Option<String>,
    pub authorization: Option<String>,
    pub body: Value,
    pub claims: Result<Value, String>,
}

#[derive(Default)]
pub struct Fake {
    pub rooms: Mutex<Vec<Value>>,
    pub seen: Mutex<Vec<Seen>>,
}

pub struct FakeLiveKit {
    pub url: Url,
    pub state: Arc<Fake>,
}

impl FakeLiveKit {
    pub async fn start() -> FakeLiveKit {
        let state = Arc::new(Fake::default());
        let router = axum::Router::new()
            .route("/twirp/{service}/{method}", axum::routing::post(handle))
            .with_state(state.clone());
        FakeLiveKit { url: serve(router).await, state }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn rooms(&self) -> Vec<Value> {
        self.state.rooms.lock().unwrap().clone()
    }
}

fn twirp_error(status: StatusCode, code: &str, msg: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "msg": msg }))).into_response()
}

async fn handle(
    AxumState(fake): AxumState<Arc<Fake>>,
    Path((service, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let authorization = header("authorization");
    let seen = Seen {
        path: format!("/twirp/{service}/{method}"),
        content_type: header("content-type"),
        claims: match authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")) {
            Some(token) => try_verified_claims(token, API_SECRET, true),
            None => Err("no bearer token".into()),
        },
        authorization,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    fake.seen.lock().unwrap().push(seen.clone());

    if service != "livekit.RoomService"
        || !seen.content_type.as_deref().is_some_and(|c| c.starts_with("application/json"))
    {
        return twirp_error(StatusCode::NOT_FOUND, "bad_route", "no such method or content type");
    }
    let Ok(claims) = &seen.claims else {
        return twirp_error(StatusCode::UNAUTHORIZED, "unauthenticated", "invalid token");
    };
    let now = jiff::Timestamp::now().as_second();
    if claims["iss"] != API_KEY || claims["nbf"].as_i64().is_none_or(|nbf| nbf > now + 10) {
        return twirp_error(StatusCode::UNAUTHORIZED, "unauthenticated", "invalid API key or token not yet valid");
    }
    let grant = |name: &str| claims["video"][name] == true;
    match method.as_str() {
        "CreateRoom" if grant("roomCreate") => {
            let Some(name) = seen.body["name"].as_str() else {
                return twirp_error(StatusCode::BAD_REQUEST, "invalid_argument", "name is required");
            };
            let mut rooms = fake.rooms.lock().unwrap();
            if let Some(existing) = rooms.iter().find(|r| r["name"] == name) {
                return axum::Json(existing.clone()).into_response();
            }
            let room = json!({
                "sid": format!("RM_fake{}", rooms.len() + 1),
                "name": name,
                "emptyTimeout": seen.body["emptyTimeout"],
                "maxParticipants": seen.body["maxParticipants"],
                "creationTime": now.to_string(),
                "turnPassword": "",
                "enabledCodecs": [{ "mime": "audio/opus" }, { "mime": "video/VP8" }]
            });
            rooms.push(room.clone());
            axum::Json(room).into_response()
        }
        "ListRooms" if grant("roomList") => {
            let names: Vec<Value> = seen.body["names"].as_array().cloned().unwrap_or_default();
            let rooms = fake.rooms.lock().unwrap();
            let listed: Vec<Value> =
                rooms.iter().filter(|r| names.is_empty() || names.contains(&r["name"])).cloned().collect();
            // proto3 JSON leaves an empty list out.
            axum::Json(if listed.is_empty() { json!({}) } else { json!({ "rooms": listed }) }).into_response()
        }
        "CreateRoom" | "ListRooms" => twirp_error(StatusCode::UNAUTHORIZED, "unauthenticated", "permissions denied"),
        _ => twirp_error(StatusCode::NOT_FOUND, "bad_route", "no such method"),
    }
}
