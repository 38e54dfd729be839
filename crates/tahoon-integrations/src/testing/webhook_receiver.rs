//! A local webhook receiver (this crate's tests' and the server's): an axum server on
//! `127.0.0.1:0` that records every request it gets and answers from a scripted queue of replies
//! (`200 ok` once the queue is empty). A test reads what arrived, `webhook-id` headers included,
//! to check signatures or de-duplicate.

use super::serve;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use url::Url;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    /// By lowercase name; a header sent more than once has its values joined with `, `.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Reply {
    /// `status` with an empty body.
    pub fn status(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: Vec::new(), delay: Duration::ZERO }
    }

    /// `200` with the body `ok` (the answer once the queue is empty).
    pub fn ok() -> Reply {
        Reply::status(200).body("ok")
    }

    /// `302` to `location`.
    pub fn redirect(location: impl Into<String>) -> Reply {
        Reply::status(302).header("location", location)
    }

    /// `status`, sent only after `delay`.
    pub fn delay(delay: Duration, status: u16) -> Reply {
        Reply { delay, ..Reply::status(status) }
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    replies: Mutex<VecDeque<Reply>>,
    arrived: Notify,
}

/// The receiver; it serves as long as the test's runtime.
pub struct WebhookReceiver {
    base: Url,
    shared: Arc<Shared>,
}

impl WebhookReceiver {
    pub async fn start() -> WebhookReceiver {
        let shared = Arc::new(Shared::default());
        let router = axum::Router::new().fallback(receive).with_state(shared.clone());
        WebhookReceiver { base: serve(router).await, shared }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("a path")
    }

    pub fn port(&self) -> u16 {
        self.base.port().expect("a bound port")
    }

    /// The next requests get these replies, in order (what was still queued is dropped); then
    /// `200 ok` again.
    pub fn respond_with(&self, replies: Vec<Reply>) {
        *self.shared.replies.lock().expect("not poisoned") = replies.into();
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.received.lock().expect("not poisoned").clone()
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().expect("not poisoned").len()
    }

    /// The `webhook-id` header of every request that had one, in arrival order (repeats kept).
    pub fn webhook_ids(&self) -> Vec<String> {
        let received = self.shared.received.lock().expect("not poisoned");
        received.iter().filter_map(|r| r.header("webhook-id").map(str::to_owned)).collect()
    }

    /// Whether at least `n` requests have arrived, waiting up to `timeout` for them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Made before counting, so an arrival between the count and the wait still wakes it.
            let arrival = self.shared.arrived.notified();
            if self.count() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, arrival).await.is_err() {
                return self.count() >= n;
            }
        }
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        by_name.entry(name.as_str().to_owned()).and_modify(|v| *v = format!("{v}, {value}")).or_insert(value);
    }
    let received = Received {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: by_name,
        body: body.to_vec(),
        at,
    };
    shared.received.lock().expect("not poisoned").push(received);
    shared.arrived.notify_waiters();
    let reply = shared.replies.lock().expect("not poisoned").pop_front().unwrap_or_else(Reply::ok);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("a valid status");
    for (name, value) in reply.headers {
        let name = HeaderName::try_from(name).expect("a valid header name");
        response.headers_mut().append(name, HeaderValue::try_from(value).expect("a valid header value"));
    }
    response
}
