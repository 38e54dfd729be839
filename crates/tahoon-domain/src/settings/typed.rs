//! The values in force (those set, else the defaults) and the typed groups the integrations read.
//! Secrets are `SecretText`, whose `Debug` hides them.

use super::{SettingSpec, SettingType, SettingValue, find};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A secret value: `expose` it where it is used; `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(text: impl Into<String>) -> SecretText {
        SecretText(text.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(..)")
    }
}

/// The settings that are set, each valid for its key; anything else reads as its default.
#[derive(Clone, Default, PartialEq)]
pub struct SettingValues {
    set: BTreeMap<&'static str, SettingValue>,
}

/// Only the keys that are set: values may be secrets.
impl fmt::Debug for SettingValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SettingValues").field(&self.set.keys().collect::<Vec<_>>()).finish()
    }
}

impl SettingValues {
    pub fn new() -> SettingValues {
        SettingValues::default()
    }

    /// Sets `spec`'s value (one its `parse` returned).
    pub fn insert(&mut self, spec: &'static SettingSpec, value: SettingValue) {
        self.set.insert(spec.key, value);
    }

    pub fn remove(&mut self, key: &str) {
        self.set.retain(|k, _| *k != key);
    }

    pub fn is_set(&self, key: &str) -> bool {
        self.set.contains_key(key)
    }

    /// The value set, else the default; `None` for an unknown key or one with neither.
    pub fn get(&self, key: &str) -> Option<SettingValue> {
        let spec = find(key)?;
        self.set.get(spec.key).cloned().or_else(|| spec.default_value())
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            SettingValue::Text(text) => Some(text),
            _ => None,
        }
    }

    fn secret(&self, key: &str) -> Option<SecretText> {
        self.text(key).map(SecretText)
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(SettingValue::Bool(true)))
    }

    /// A duration setting in its unit (`Duration::ZERO` only if the catalogue lacks the key, which
    /// a unit test rules out).
    fn duration(&self, key: &str) -> Duration {
        let amount = match self.get(key) {
            Some(SettingValue::Integer(n)) => u64::try_from(n).unwrap_or(0),
            _ => 0,
        };
        match find(key).map(|spec| spec.kind) {
            Some(SettingType::Seconds { .. }) => Duration::from_secs(amount),
            _ => Duration::from_millis(amount),
        }
    }

    /// The video vendor in use and every vendor's settings.
    pub fn video(&self) -> VideoSettings {
        VideoSettings {
            provider: self.text("video.provider").and_then(|p| VideoProvider::from_word(&p)).unwrap_or_default(),
            connect_timeout: self.duration("video.connect_timeout_ms"),
            request_timeout: self.duration("video.request_timeout_ms"),
            videosdk: VideoSdkSettings {
                api_endpoint: self.text("videosdk.api_endpoint").unwrap_or_default(),
                api_key: self.text("videosdk.api_key"),
                secret_key: self.secret("videosdk.secret_key"),
                enable_recording: self.flag("videosdk.enable_recording"),
            },
            jitsi: JitsiSettings {
                base_url: self.text("jitsi.base_url").unwrap_or_default(),
                app_id: self.text("jitsi.app_id"),
                app_secret: self.secret("jitsi.app_secret"),
            },
            livekit: LiveKitSettings {
                url: self.text("livekit.url"),
                api_key: self.text("livekit.api_key"),
                api_secret: self.secret("livekit.api_secret"),
            },
        }
    }

    /// Push through FCM: the service account (none: no push is sent), the API and timeouts.
    pub fn fcm(&self) -> FcmSettings {
        let service_account = match self.get("fcm.service_account") {
            Some(SettingValue::Json(document)) => ServiceAccount::from_json(&document),
            _ => None,
        };
        FcmSettings {
            service_account,
            base_url: self.text("fcm.base_url").unwrap_or_default(),
            connect_timeout: self.duration("fcm.connect_timeout_ms"),
            request_timeout: self.duration("fcm.request_timeout_ms"),
        }
    }

    pub fn privacy(&self) -> PrivacySettings {
        PrivacySettings { share_user_name_with_providers: self.flag("privacy.share_user_name_with_providers") }
    }
}

/// `video.provider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VideoProvider {
    #[default]
    Jitsi,
    VideoSdk,
    LiveKit,
}

impl VideoProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoProvider::Jitsi => "jitsi",
            VideoProvider::VideoSdk => "videosdk",
            VideoProvider::LiveKit => "livekit",
        }
    }

    pub fn from_word(word: &str) -> Option<VideoProvider> {
        [VideoProvider::Jitsi, VideoProvider::VideoSdk, VideoProvider::LiveKit]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(word))
    }
}

/// The `video`, `videosdk`, `jitsi` and `livekit` groups.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoSettings {
    pub provider: VideoProvider,
    pub connect_timeout: Duration,
    /// The whole call, connection included.
    pub request_timeout: Duration,
    pub videosdk: VideoSdkSettings,
    pub jitsi: JitsiSettings,
    pub livekit: LiveKitSettings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VideoSdkSettings {
    /// Without a trailing `/`.
    pub api_endpoint: String,
    pub api_key: Option<String>,
    pub secret_key: Option<SecretText>,
    pub enable_recording: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JitsiSettings {
    /// Without a trailing `/`.
    pub base_url: String,
    pub app_id: Option<String>,
    pub app_secret: Option<SecretText>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LiveKitSettings {
    /// Without a trailing `/`.
    pub url: Option<String>,
    pub api_key: Option<String>,
    pub api_secret: Option<SecretText>,
}

/// The `fcm` group.
#[derive(Debug, Clone, PartialEq)]
pub struct FcmSettings {
    pub service_account: Option<ServiceAccount>,
    /// Without a trailing `/`.
    pub base_url: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// The parts of an FCM service-account key the push client uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    /// PEM.
    pub private_key: SecretText,
    pub token_uri: String,
}

impl ServiceAccount {
    /// From a document `service_account` accepted.
    pub fn from_json(document: &Value) -> Option<ServiceAccount> {
        super::service_account(document).ok()?;
        let text = |name: &str| document.get(name).and_then(Value::as_str).map(|s| s.trim().to_string());
        Some(ServiceAccount {
            project_id: text("project_id")?,
            client_email: text("client_email")?,
            private_key: SecretText(text("private_key")?),
            token_uri: text("token_uri")?,
        })
    }
}

/// The `privacy` group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivacySettings {
    /// The user's name may reach care providers (push) and video rooms (display names).
    pub share_user_name_with_providers: bool,
}
