//! The benchmark's partner: real HTTP over loopback, real tokens, real signatures.

use super::seed::OrganizationCredentials;
use anyhow::{Context, bail};
use serde_json::{Value, json};

pub const SEARCH: &str = "/api/v1/careprovider/getcareproviderslistwithschedule";
pub const SCHEDULE: &str = "/api/v1/careprovider/getcareproviderschedule";
pub const BOOK: &str = "/api/v1/sessionbooking/booksession";
pub const CANCEL: &str = "/api/v1/sessionbooking/cancelbooking";

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

/// One signed-in organization.
#[derive(Debug, Clone)]
pub struct Partner {
    pub credentials: OrganizationCredentials,
    pub token: String,
    pub refresh: String,
}

/// How a booking attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    /// The booking's id and its provider's.
    Yes(String, String),
    /// Reason 4: the slot was taken (by another client of the run).
    Taken,
    Failed(String),
}

/// `body` with its `secureHash`, as the reference's partners sign booking and cancellation.
fn signed(shared_key: &str, body: Value) -> Value {
    let Value::Object(mut fields) = body else { return body };
    let hash = tahoon_domain::signing::secure_hash(shared_key, &fields);
    fields.insert("secureHash".into(), Value::String(hash));
    Value::Object(fields)
}

impl Client {
    pub fn new(base: String) -> Client {
        let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().expect("an HTTP client");
        Client { http, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn grant(&self, form: &[(&str, &str)]) -> anyhow::Result<(String, String)> {
        let response = self.http.post(self.url("/api/v1/auth/token")).form(form).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        let (Some(access), Some(refresh)) = (body["access_token"].as_str(), body["refresh_token"].as_str()) else {
            bail!("token grant answered {status}: {body}");
        };
        Ok((access.to_string(), refresh.to_string()))
    }

    pub async fn sign_in(&self, credentials: &OrganizationCredentials) -> anyhow::Result<Partner> {
        let form = [("grant_type", "password"), ("access_key", credentials.access_key.as_str())];
        let (token, refresh) = self.grant(&form).await.context("signing in")?;
        Ok(Partner { credentials: credentials.clone(), token, refresh })
    }

    /// Rotates the partner's refresh token (and access token).
    pub async fn refresh(&self, partner: &mut Partner) -> anyhow::Result<()> {
        let form = [("grant_type", "refresh_token"), ("refresh_token", partner.refresh.as_str())];
        (partner.token, partner.refresh) = self.grant(&form).await?;
        Ok(())
    }

    pub async fn healthz(&self) -> bool {
        matches!(self.http.get(self.url("/healthz")).send().await, Ok(r) if r.status().is_success())
    }

    /// Posts a read; `true` when it answered 200 (a read's refusals are 4xx). The body is read
    /// whole but not parsed, so the client spends its core on sending, not on JSON.
    pub async fn read(&self, path: &str, token: &str, body: &Value) -> bool {
        let Ok(response) = self.http.post(self.url(path)).bearer_auth(token).json(body).send().await else {
            return false;
        };
        response.status().is_success() && response.bytes().await.is_ok_and(|b| !b.is_empty())
    }

    /// The slot ids a provider offers on `date` in `zone`.
    pub async fn slots(&self, token: &str, provider: &str, date: &str, zone: &str) -> anyhow::Result<Vec<String>> {
        let body = json!({"careProviderId": provider, "scheduleDate": date, "timeZone": zone});
        let answer: Value =
            self.http.post(self.url(SCHEDULE)).bearer_auth(token).json(&body).send().await?.json().await?;
        let list = answer["data"]["availableSlotsList"].as_array().cloned().unwrap_or_default();
        Ok(list.iter().filter_map(|s| s["applicationMultiSlotId"].as_str().map(str::to_string)).collect())
    }

    pub async fn book(&self, partner: &Partner, user: &str, slot: &str) -> Booked {
        let body = signed(&partner.credentials.shared_api_key, json!({"userId": user, "applicationMultiSlotId": slot}));
        let sent = self.http.post(self.url(BOOK)).bearer_auth(&partner.token).json(&body).send().await;
        let answer: Value = match sent {
            Ok(response) => response.json().await.unwrap_or(Value::Null),
            Err(e) => return Booked::Failed(e.to_string()),
        };
        let data = &answer["data"];
        match (answer["reason"].as_i64(), data["bookingId"].as_str(), data["careProviderId"].as_str()) {
            (Some(0), Some(id), Some(provider)) => Booked::Yes(id.to_string(), provider.to_string()),
            (Some(4), _, _) => Booked::Taken,
            _ => Booked::Failed(answer.to_string()),
        }
    }

    pub async fn cancel(&self, partner: &Partner, user: &str, booking: &str, provider: &str) -> bool {
        let body = json!({"bookingId": booking, "userId": user, "careProviderId": provider});
        let body = signed(&partner.credentials.shared_api_key, body);
        let Ok(response) = self.http.post(self.url(CANCEL)).bearer_auth(&partner.token).json(&body).send().await else {
            return false;
        };
        response.json::<Value>().await.is_ok_and(|v| v["reason"] == 0)
    }
}
