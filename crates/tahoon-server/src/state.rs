use crate::config::ServerConfig;
use crate::services::audit::Auditor;
use crate::services::tokens::TokenService;
use std::sync::Arc;
use tahoon_domain::public_id::IdCodec;
use tahoon_store::Store;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServerConfig>,
    pub ids: IdCodec,
    pub tokens: TokenService,
    pub audit: Auditor,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> AppState {
        let ids = IdCodec::new(config.secrets.master_key.bytes());
        let config = Arc::new(config);
        AppState {
            tokens: TokenService::new(store.clone(), config.clone(), ids.clone()),
            audit: Auditor::new(store.clone()),
            store,
            config,
            ids,
        }
    }
}
