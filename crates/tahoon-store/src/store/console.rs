//! `ConsoleSessionStore`: the console's sign-in sessions (`tahoon_domain::console`).

use crate::error::StoreError;
use async_trait::async_trait;
use jiff::Timestamp;
use tahoon_domain::console::ConsoleSession;

#[async_trait]
pub trait ConsoleSessionStore: Send + Sync {
    /// Keeps `session` under the digest of its id.
    async fn create_console_session(&self, id_digest: &str, session: &ConsoleSession) -> Result<(), StoreError>;
    /// The session with this id digest.
    async fn console_session(&self, id_digest: &str) -> Result<Option<ConsoleSession>, StoreError>;
    /// Records a request of the session at `now`.
    async fn touch_console_session(&self, id_digest: &str, now: Timestamp) -> Result<(), StoreError>;
    /// Ends a session (signing out, or found expired or revoked).
    async fn delete_console_session(&self, id_digest: &str) -> Result<(), StoreError>;
    /// Removes the sessions idle since before `idle_before`; how many.
    async fn prune_console_sessions(&self, idle_before: Timestamp) -> Result<u64, StoreError>;
}
