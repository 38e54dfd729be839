//! A fake VideoSDK v2 API (the integration tests' and the server's API tests'). It verifies every request's `Authorization` (a raw HS256 JWT, no
//! `Bearer`, signed with [`SECRET`], claims `apikey`, `permissions`, `version: 2`,
//! `roles: ["crawler"]`) as VideoSDK does, keeps rooms by `customRoomId` (creating one again
//! answers the same room), validates rooms, lists recordings page by page, and records what it
//! received. Scripted faults make the next requests fail in the ways vendors fail.

use super::{serve, try_verified_claims};
use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

pub const API_KEY: &str = "vsdk-key-3f1a";
pub const SECRET: &str = "vsdk-secret-do-not-log-9c2e";

/// How the next request fails.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status and body.
    Status(u16, String),
    /// This status, with a body echoing the request's `Authorization` and the secret.
    EchoSecrets(u16),
    /// The usual answer (the room is created), sent only after this long.
    Late(Duration),
    /// `200` with this body (not what the API promises).
    Body(String),
    /// `200` with 2 MiB, announced by `Content-Length`.
    Oversized,
    /// `200` with 2 MiB, chunked, without `Content-Length`.
    OversizedChunked,
    /// `302` elsewhere.
    Redirect,
}

/// What one request carried.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: HashMap<String, String>,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    pub body: Value,
    /// The verified claims of `authorization`, or why it did not verify.
    pub claims: Result<Value, String>,
}

#[derive(Debug, Clone)]
pub struct FakeRoom {
    pub room_id: String,
    pub custom_room_id: Option<String>,
    pub disabled: bool,
}

#[derive(Default)]
pub struct Fake {
    pub rooms: Mutex<Vec<FakeRoom>>,
    pub seen: Mutex<Vec<Seen>>,
    pub faults: Mutex<VecDeque<Fault>>,
    /// Rooms created so far (room ids are numbered by it, so a room made again gets a new id).
    pub created: Mutex<usize>,
    /// How every request fails, after the queued faults, until cleared (an outage).
    pub outage: Mutex<Option<Fault>>,
    /// Recordings by room id; a room absent here answers 404.
    pub recordings: Mutex<HashMap<String, Vec<Value>>>,
}

pub struct FakeVideoSdk {
    pub url: Url,
    pub state: Arc<Fake>,
}

impl FakeVideoSdk {
    pub async fn start() -> FakeVideoSdk {
        let state = Arc::new(Fake::default());
        let router = axum::Router::new().fallback(handle).with_state(state.clone());
        FakeVideoSdk { url: serve(router).await, state }
    }

    pub fn fault(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push_back(fault);
    }

    /// Every request fails this way from now on (after the queued faults); `None` ends the outage.
    pub fn outage(&self, fault: Option<Fault>) {
        *self.state.outage.lock().unwrap() = fault;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn rooms(&self) -> Vec<FakeRoom> {
        self.state.rooms.lock().unwrap().clone()
    }

    pub fn add_room(&self, room_id: &str, disabled: bool) {
        self.state.rooms.lock().unwrap().push(FakeRoom { room_id: room_id.into(), custom_room_id: None, disabled });
    }

    pub fn set_recordings(&self, room_id: &str, recordings: Vec<Value>) {
        self.state.recordings.lock().unwrap().insert(room_id.into(), recordings);
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "statusCode": status.as_u16(), "error": code, "message": message }))).into_response()
}

/// VideoSDK's check of a management token (a raw JWT with the v2 crawler claims): the refusal,
/// if any.
fn refusal(seen: &Seen) -> Option<Response> {
    let invalid = || Some(error(StatusCode::UNAUTHORIZED, "invalid_token", "token is invalid."));
    let Some(raw) = seen.authorization.as_deref() else { return invalid() };
    let Ok(claims) = &seen.claims else { return invalid() };
    if raw.starts_with("Bearer ") || raw.split('.').count() != 3 {
        return invalid();
    }
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    if claims["apikey"] != API_KEY || claims["permissions"] != json!(["allow_join"]) || lifetime > 3600 {
        return invalid();
    }
    if claims["version"] != 2 || claims["roles"] != json!(["crawler"]) {
        return Some(error(StatusCode::FORBIDDEN, "unauthorized_token", "Your role must be a CRAWLER"));
    }
    None
}

async fn handle(
    AxumState(fake): AxumState<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let authorization = header("authorization");
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let seen = Seen {
        method: method.clone(),
        path: uri.path().to_string(),
        query,
        claims: authorization.as_deref().map_or(Err("none".into()), |t| try_verified_claims(t, SECRET, true)),
        authorization,
        user_agent: header("user-agent"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    fake.seen.lock().unwrap().push(seen.clone());
    if let Some(refused) = refusal(&seen) {
        return refused;
    }
    let queued = fake.faults.lock().unwrap().pop_front();
    let fault = queued.or_else(|| fake.outage.lock().unwrap().clone());
    let big = || "x".repeat(2 * 1024 * 1024);
    match fault {
        Some(Fault::Status(status, body)) => return (StatusCode::from_u16(status).unwrap(), body).into_response(),
        Some(Fault::EchoSecrets(status)) => {
            let echo = format!(
                "{{\"error\":\"boom\",\"got\":\"{}\",\"secret\":\"{SECRET}\"}}",
                seen.authorization.unwrap_or_default()
            );
            return (StatusCode::from_u16(status).unwrap(), echo).into_response();
        }
        Some(Fault::Body(body)) => return (StatusCode::OK, body).into_response(),
        Some(Fault::Oversized) => return (StatusCode::OK, big()).into_response(),
        Some(Fault::OversizedChunked) => {
            let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 64 * 1024])));
            return Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
        }
        Some(Fault::Redirect) => {
            return (StatusCode::FOUND, [("location", "http://127.0.0.1:9/v2/rooms")], "").into_response();
        }
        Some(Fault::Late(delay)) => {
            let answer = route(&fake, &seen);
            tokio::time::sleep(delay).await;
            return answer;
        }
        None => {}
    }
    route(&fake, &seen)
}

fn room_json(room: &FakeRoom) -> Value {
    json!({
        "roomId": room.room_id,
        "customRoomId": room.custom_room_id,
        "userId": "5f7edbb14c938bcd42944527",
        "disabled": room.disabled,
        "createdAt": "2031-05-05T09:00:00.000Z",
        "updatedAt": "2031-05-05T09:00:00.000Z",
        "id": format!("doc-{}", room.room_id),
        "links": { "get_room": format!("https://api.videosdk.live/v2/rooms/{}", room.room_id) }
    })
}

fn route(fake: &Fake, seen: &Seen) -> Response {
    let path = seen.path.trim_end_matches('/');
    match (&seen.method, path) {
        (&Method::POST, "/v2/rooms") => {
            let custom = seen.body["customRoomId"].as_str().map(str::to_string);
            let mut rooms = fake.rooms.lock().unwrap();
            if let Some(existing) = rooms.iter().find(|r| custom.is_some() && r.custom_room_id == custom) {
                return axum::Json(room_json(existing)).into_response();
            }
            let n = {
                let mut created = fake.created.lock().unwrap();
                *created += 1;
                *created
            };
            let room = FakeRoom { room_id: format!("abcd-{n:04}-wxyz"), custom_room_id: custom, disabled: false };
            rooms.push(room.clone());
            axum::Json(room_json(&room)).into_response()
        }
        (&Method::GET, p) if p.starts_with("/v2/rooms/validate/") => {
            let id = &p["/v2/rooms/validate/".len()..];
            let rooms = fake.rooms.lock().unwrap();
            match rooms.iter().find(|r| r.room_id == id || r.custom_room_id.as_deref() == Some(id)) {
                Some(room) => axum::Json(room_json(room)).into_response(),
                None => error(StatusCode::NOT_FOUND, "resource_not_found", "Room not found."),
            }
        }
        (&Method::GET, "/v2/recordings") => {
            let Some(room_id) = seen.query.get("roomId") else {
                return error(StatusCode::BAD_REQUEST, "invalid_params", "Please provide a valid roomId.");
            };
            let recordings = fake.recordings.lock().unwrap();
            let Some(all) = recordings.get(room_id) else {
                return error(StatusCode::NOT_FOUND, "resource_not_found", "Room Recording not found.");
            };
            let page: usize = seen.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let per_page: usize = seen.query.get("perPage").and_then(|p| p.parse().ok()).unwrap_or(20);
            let last_page = all.len().div_ceil(per_page).max(1);
            let data: Vec<Value> = all.iter().skip((page - 1) * per_page).take(per_page).cloned().collect();
            axum::Json(json!({
                "pageInfo": { "currentPage": page, "perPage": per_page, "lastPage": last_page, "total": all.len() },
                "data": data
            }))
            .into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "resource_not_found", "no such route"),
    }
}

/// A recording as VideoSDK lists it (its documented example, with this id and room).
pub fn recording(id: &str, room_id: &str) -> Value {
    json!({
        "userId": "5f7edbb14c938bcd42944527",
        "roomId": room_id,
        "sessionId": format!("session-{id}"),
        "createdAt": "2031-05-06T10:00:05.814Z",
        "updatedAt": "2031-05-06T10:51:42.935Z",
        "fileId": format!("file-{id}"),
        "file": {
            "meta": { "resolution": { "width": 1920, "height": 1080 }, "format": "mov,mp4,m4a,3gp,3g2,mj2", "duration": 3005.5 },
            "filePath": format!("uploads/videos/{id}.mp4"),
            "size": 17023255,
            "type": "video",
            "fileUrl": format!("https://cdn.videosdk.live/uploads/videos/{id}.mp4"),
            "id": format!("file-{id}")
        },
        "id": id
    })
}
