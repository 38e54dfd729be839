use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::services::audit::Auditor;
use crate::services::directory::live::Directory;
use crate::services::push::client::PushClient;
use crate::services::rate_limits::RateLimits;
use crate::services::settings::cache::Settings;
use crate::services::tokens::TokenService;
use crate::services::video::VideoClients;
use crate::services::webhooks::Webhooks;
use std::sync::Arc;
use tahoon_domain::public_id::IdCodec;
use tahoon_domain::webhooks::TargetPolicy;
use tahoon_integrations::video::VideoRooms;
use tahoon_store::Store;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServerConfig>,
    pub ids: IdCodec,
    pub tokens: TokenService,
    pub audit: Auditor,
    /// The video vendors' clients, chosen by the settings (`services::video`).
    pub video: Arc<VideoClients>,
    /// The settings held in the database, read through a cache (`services::settings`).
    pub settings: Settings,
    /// The FCM client of the push worker, kept while the FCM settings stay the same.
    pub push: PushClient,
    /// The webhook sender and target policy (`services::webhooks`).
    pub webhooks: Webhooks,
    /// The availability index search reads (`services::directory`).
    pub directory: Directory,
    /// Rate-limit state, in process or shared through Redis (`services::rate_limits`).
    pub rate_limits: RateLimits,
    pub clock: Clock,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> AppState {
        AppState::with_clock(store, config, Clock::System)
    }

    /// The state on another clock (tests hold a manual one).
    pub fn with_clock(store: Arc<dyn Store>, config: ServerConfig, clock: Clock) -> AppState {
        crate::telemetry::install();
        let ids = IdCodec::new(config.secrets.master_key.bytes());
        let config = Arc::new(config);
        AppState {
            tokens: TokenService::new(store.clone(), config.clone(), ids.clone(), clock.clone()),
            audit: Auditor::new(store.clone(), clock.clone()),
            settings: Settings::new(
                store.clone(),
                config.secrets.master_key.clone(),
                clock.clone(),
                config.pending_hold_ttl_secs,
            ),
            push: Default::default(),
            webhooks: Webhooks::new(TargetPolicy { allow_loopback: config.webhooks_allow_loopback }),
            directory: Directory::new(store.clone(), clock.clone()),
            rate_limits: rate_limits(&config),
            clock,
            video: Arc::new(VideoClients::from_settings()),
            store,
            config,
            ids,
        }
    }
}

/// Shared through Redis when configured (the URL was checked when the configuration was read).
fn rate_limits(config: &ServerConfig) -> RateLimits {
    let Some(url) = &config.redis_url else { return RateLimits::local() };
    RateLimits::shared(url, &config.redis_key_prefix).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the Redis URL cannot be used: rate limits are enforced per instance");
        RateLimits::local()
    })
}

impl AppState {
    /// The same state with one video implementation for every vendor, whatever the settings say
    /// (tests use one that fails).
    pub fn with_video(mut self, video: Arc<dyn VideoRooms>) -> AppState {
        self.video = Arc::new(VideoClients::substitute(video));
        self
    }
}
