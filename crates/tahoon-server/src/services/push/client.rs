//! The FCM client in use. It is made from the settings held in the database (`fcm.*`) and kept,
//! with its cached access token, for as long as those settings stay the same: a change of the
//! service account, the endpoint or a timeout makes a new one on the next pass.

use crate::clock::Clock;
use crate::services::error::ServiceResult;
use crate::services::settings::cache::Settings;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tahoon_domain::settings::SettingValue;
use tahoon_integrations::push::{FcmClient, FcmConfig};
use tokio::sync::Mutex;

/// What the FCM settings allow.
pub enum Fcm {
    /// No `fcm.service_account`: push is off.
    NotConfigured,
    /// Set, but not usable (a key that does not parse, a plain-http endpoint that is not local…):
    /// why, naming the setting, never its value.
    Invalid(String),
    /// The client to send with, and the longest one job may take with it.
    Ready { client: Arc<FcmClient>, request_timeout: Duration },
}

/// Shared by every pass (cloning shares the client).
#[derive(Clone, Default)]
pub struct PushClient {
    current: Arc<Mutex<Option<Current>>>,
}

struct Current {
    /// SHA-256 of the settings the client was made from (the key file included).
    fingerprint: [u8; 32],
    client: Arc<FcmClient>,
}

impl PushClient {
    /// The client the settings in force describe: the one made before when they have not changed.
    pub async fn current(&self, settings_in_force: &Settings, clock: &Clock) -> ServiceResult<Fcm> {
        let Some(SettingValue::Json(account)) = settings_in_force.get("fcm.service_account").await? else {
            *self.current.lock().await = None;
            return Ok(Fcm::NotConfigured);
        };
        let settings = settings_in_force.fcm().await?;
        let account = account.to_string();
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let (connect_ms, request_ms) = (millis(settings.connect_timeout), millis(settings.request_timeout));
        let mut digest = Sha256::new();
        for part in
            [account.as_bytes(), settings.base_url.as_bytes(), &connect_ms.to_be_bytes(), &request_ms.to_be_bytes()]
        {
            digest.update((part.len() as u64).to_be_bytes());
            digest.update(part);
        }
        let fingerprint: [u8; 32] = digest.finalize().into();
        let request_timeout = settings.request_timeout;
        let mut current = self.current.lock().await;
        if let Some(kept) = current.as_ref().filter(|c| c.fingerprint == fingerprint) {
            return Ok(Fcm::Ready { client: kept.client.clone(), request_timeout });
        }
        let base_url = Some(settings.base_url.as_str()).filter(|u| !u.is_empty());
        let config = match FcmConfig::from_settings(&account, base_url, Some(connect_ms), Some(request_ms)) {
            Ok(config) => config,
            Err(e) => {
                *current = None;
                return Ok(Fcm::Invalid(e.to_string()));
            }
        };
        let clock = clock.clone();
        let client = match FcmClient::with_clock(config, Arc::new(move || clock.now())) {
            Ok(client) => Arc::new(client),
            Err(e) => return Ok(Fcm::Invalid(e.to_string())),
        };
        tracing::info!("FCM client ready (the settings changed, or this is the first push)");
        *current = Some(Current { fingerprint, client: client.clone() });
        Ok(Fcm::Ready { client, request_timeout })
    }
}
