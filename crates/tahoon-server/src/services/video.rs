//! Video rooms for sessions, through the vendors' clients (`tahoon_integrations::video`): which
//! client serves a booking, built from the settings held in the database and reused while they do
//! not change (`VideoClients`); what the saga asks a vendor for and what a failure answers
//! (`sessions`); participants' join tickets and the room check before a session (`sessions`); a
//! booking's recordings (`recordings`).
//!
//! A new room is made by the vendor `video.provider` names; everything else about a booking's room
//! (tickets, checks, recordings) asks the vendor that made it, which the booking records.

pub mod recordings;
pub mod sessions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tahoon_domain::settings::{self, VideoSettings};
use tahoon_integrations::Secret;
use tahoon_integrations::video::jitsi::JitsiConfig;
use tahoon_integrations::video::livekit::LiveKitConfig;
use tahoon_integrations::video::videosdk::VideoSdkConfig;
use tahoon_integrations::video::{DEFAULT_RETRIES, VideoConfigs, VideoError, VideoProvider, VideoRooms, client_for};
use url::Url;

/// The vendors' clients, shared by every request (cloning `AppState` shares them).
///
/// A client is built on first use from the settings in force and kept while those settings are
/// the same value: one HTTP client (and its connection pool) per vendor, not one per booking. Any
/// change of the video settings (a vendor's key, a timeout) drops every built client, so the next
/// call builds them again from the new values.
pub struct VideoClients {
    /// Serves every vendor when set (tests put a double here): `AppState::with_video`.
    substitute: Option<Arc<dyn VideoRooms>>,
    built: Mutex<Built>,
}

#[derive(Default)]
struct Built {
    /// The settings `clients` were built from.
    from: Option<VideoSettings>,
    clients: HashMap<VideoProvider, Arc<dyn VideoRooms>>,
}

impl VideoClients {
    /// Clients built from the settings held in the database.
    pub fn from_settings() -> VideoClients {
        VideoClients { substitute: None, built: Mutex::new(Built::default()) }
    }

    /// One implementation for every vendor, whatever the settings say.
    pub fn substitute(video: Arc<dyn VideoRooms>) -> VideoClients {
        VideoClients { substitute: Some(video), built: Mutex::new(Built::default()) }
    }

    /// The client of `vendor` under `settings`, or why there is none (`NotConfigured`, naming the
    /// setting at fault and never its value).
    pub fn client(&self, settings: &VideoSettings, vendor: VideoProvider) -> Result<Arc<dyn VideoRooms>, VideoError> {
        if let Some(video) = &self.substitute {
            return Ok(video.clone());
        }
        let mut built = self.built.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if built.from.as_ref() != Some(settings) {
            built.clients.clear();
            built.from = Some(settings.clone());
        }
        if let Some(client) = built.clients.get(&vendor) {
            return Ok(client.clone());
        }
        let client = client_for(vendor, &configs(settings, vendor)?)?;
        built.clients.insert(vendor, client.clone());
        Ok(client)
    }

    /// The client that makes new rooms: `video.provider`'s.
    pub fn current(&self, settings: &VideoSettings) -> Result<Arc<dyn VideoRooms>, VideoError> {
        self.client(settings, vendor(settings.provider))
    }
}

/// The integrations' name of a vendor the settings (and bookings) name.
pub fn vendor(provider: settings::VideoProvider) -> VideoProvider {
    match provider {
        settings::VideoProvider::Jitsi => VideoProvider::Jitsi,
        settings::VideoProvider::VideoSdk => VideoProvider::VideoSdk,
        settings::VideoProvider::LiveKit => VideoProvider::LiveKit,
    }
}

/// The vendor as a booking records it.
pub fn recorded(vendor: VideoProvider) -> settings::VideoProvider {
    match vendor {
        VideoProvider::Jitsi => settings::VideoProvider::Jitsi,
        VideoProvider::VideoSdk => settings::VideoProvider::VideoSdk,
        VideoProvider::LiveKit => settings::VideoProvider::LiveKit,
    }
}

fn url(vendor: VideoProvider, key: &str, text: &str) -> Result<Url, VideoError> {
    Url::parse(text).map_err(|_| VideoError::NotConfigured { vendor, detail: format!("{key} is not a valid URL") })
}

fn secret(text: Option<&settings::SecretText>) -> Secret {
    Secret::new(text.map(|s| s.expose()).unwrap_or_default())
}

/// The configuration `vendor`'s client needs, from the settings (the other vendors' parts are
/// left out or at their defaults: only `vendor`'s client is built from it).
fn configs(s: &VideoSettings, vendor: VideoProvider) -> Result<VideoConfigs, VideoError> {
    let mut configs = VideoConfigs { jitsi: JitsiConfig::default(), videosdk: None, livekit: None };
    match vendor {
        VideoProvider::Jitsi => {
            configs.jitsi = JitsiConfig {
                base_url: url(vendor, "jitsi.base_url", &s.jitsi.base_url)?,
                app_id: s.jitsi.app_id.clone(),
                app_secret: s.jitsi.app_secret.as_ref().map(|secret| Secret::new(secret.expose())),
            };
        }
        VideoProvider::VideoSdk => {
            configs.videosdk = Some(VideoSdkConfig {
                api_endpoint: url(vendor, "videosdk.api_endpoint", &s.videosdk.api_endpoint)?,
                api_key: s.videosdk.api_key.clone().unwrap_or_default(),
                secret_key: secret(s.videosdk.secret_key.as_ref()),
                enable_recording: s.videosdk.enable_recording,
                connect_timeout: s.connect_timeout,
                request_timeout: s.request_timeout,
                retries: DEFAULT_RETRIES,
            });
        }
        VideoProvider::LiveKit => {
            let text = s
                .livekit
                .url
                .as_deref()
                .ok_or_else(|| VideoError::NotConfigured { vendor, detail: "livekit.url is not set".into() })?;
            configs.livekit = Some(LiveKitConfig {
                url: url(vendor, "livekit.url", text)?,
                api_key: s.livekit.api_key.clone().unwrap_or_default(),
                api_secret: secret(s.livekit.api_secret.as_ref()),
                connect_timeout: s.connect_timeout,
                request_timeout: s.request_timeout,
                retries: DEFAULT_RETRIES,
            });
        }
    }
    Ok(configs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tahoon_domain::settings::SettingValues;

    fn defaults() -> VideoSettings {
        SettingValues::new().video()
    }

    #[test]
    fn a_client_is_reused_while_the_settings_are_the_same() {
        let clients = VideoClients::from_settings();
        let first = clients.current(&defaults()).unwrap();
        let again = clients.current(&defaults()).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.provider(), VideoProvider::Jitsi);
        let mut changed = defaults();
        changed.jitsi.base_url = "https://meet.example.org".into();
        let rebuilt = clients.current(&changed).unwrap();
        assert!(!Arc::ptr_eq(&first, &rebuilt), "a change of the settings builds the client again");
    }

    #[test]
    fn a_vendor_without_its_keys_is_not_configured_and_names_what_is_missing() {
        let clients = VideoClients::from_settings();
        let mut s = defaults();
        s.provider = settings::VideoProvider::VideoSdk;
        let Err(VideoError::NotConfigured { detail, .. }) = clients.current(&s) else { panic!("configured") };
        assert!(detail.contains("videosdk.api_key"), "{detail}");
        s.provider = settings::VideoProvider::LiveKit;
        let Err(VideoError::NotConfigured { detail, .. }) = clients.current(&s) else { panic!("configured") };
        assert!(detail.contains("livekit.url"), "{detail}");
    }

    #[test]
    fn vendors_map_both_ways() {
        for p in VideoProvider::ALL {
            assert_eq!(vendor(recorded(p)), p);
            assert_eq!(recorded(p).as_str(), p.as_str());
        }
    }
}
