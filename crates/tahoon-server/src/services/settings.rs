//! Settings held in the database (operator plane: CLI and admin routes): list, read, change and
//! reset them. The catalogue and the checks are the domain's (`tahoon_domain::settings`); secrets
//! are sealed with the master key before they are stored, and never shown, logged or audited in
//! full. Every change is audited (key and actor; the value only when it is not secret) in its
//! transaction, and read through the cache (`Settings`) at once by this process and within
//! seconds by others.

pub mod cache;

pub use cache::{CHECK_UNWATCHED, CHECK_WATCHED, Settings, Snapshot, StoredInfo};

use crate::services::audit::AuditEvent;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use serde::Serialize;
use serde_json::json;
use tahoon_domain::reason::Reason;
use tahoon_domain::settings::{self, CATALOGUE, REQUIREMENTS, SettingSpec, longest_video_request_ms, unmet};
use tahoon_store::{SettingChange, StoredSetting};
use utoipa::ToSchema;

/// A setting as the operator sees it: what it is, and the value in force (a secret masked).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingView {
    /// `group.name`.
    #[schema(example = "video.provider")]
    pub key: String,
    #[schema(example = "video")]
    pub group: String,
    /// `text`, `url`, `bool`, `integer`, `seconds`, `milliseconds`, `choice` or `json`.
    #[serde(rename = "type")]
    #[schema(example = "choice")]
    pub kind: String,
    /// One line on what it does.
    pub description: String,
    /// What a value must be.
    #[schema(example = "one of: jitsi, videosdk, livekit")]
    pub rule: String,
    /// Sealed at rest with the master key; its value is shown masked (`••••` and, for a secret of
    /// 16 characters or more, its last four).
    pub secret: bool,
    /// A value is stored (otherwise the default is in force).
    pub is_set: bool,
    /// The value in force, as text: the stored one, else the default; masked when secret; `null`
    /// when there is neither.
    #[schema(example = "jitsi")]
    pub value: Option<String>,
    /// The default, as text; `null` when there is none.
    #[schema(example = "jitsi")]
    pub default: Option<String>,
    /// For a choice: the words it takes.
    pub choices: Option<Vec<String>>,
    /// For a number or a duration: the smallest value.
    pub minimum: Option<i64>,
    /// For a number or a duration: the largest value.
    pub maximum: Option<i64>,
    /// When the stored value was last changed (RFC 3339); `null` when none is stored.
    pub updated_at: Option<String>,
    /// Who last changed it (`operator`, `cli`); `null` when none is stored.
    pub updated_by: Option<String>,
    /// Why the stored value is not in force (it cannot be unsealed with this master key, or no
    /// longer passes its checks), in which case the default is; `null` otherwise.
    pub problem: Option<String>,
}

impl SettingView {
    fn new(spec: &'static SettingSpec, snapshot: &Snapshot) -> SettingView {
        let stored = snapshot.stored.get(spec.key);
        let in_force = snapshot.values.get(spec.key);
        SettingView {
            key: spec.key.to_string(),
            group: spec.group().to_string(),
            kind: spec.kind.name().to_string(),
            description: spec.description.to_string(),
            rule: spec.kind.rule(),
            secret: spec.secret,
            is_set: stored.is_some(),
            value: in_force.map(|value| spec.shown(&value)),
            default: spec.default.map(str::to_string),
            choices: spec.kind.choices().map(|words| words.iter().map(|w| w.to_string()).collect()),
            minimum: spec.kind.bounds().map(|(min, _)| min),
            maximum: spec.kind.bounds().map(|(_, max)| max),
            updated_at: stored.map(|s| s.updated_at.to_string()),
            updated_by: stored.map(|s| s.updated_by.clone()),
            problem: stored.and_then(|s| s.problem.clone()),
        }
    }
}

/// The known setting `key`, or 104 NotFound.
pub fn known(key: &str) -> ServiceResult<&'static SettingSpec> {
    settings::find(key).ok_or_else(|| Refusal::new(Reason::NotFound).with_detail("no such setting").into())
}

/// Every known setting, in the catalogue's order.
pub async fn list(state: &AppState) -> ServiceResult<Vec<SettingView>> {
    let snapshot = state.settings.snapshot().await?;
    Ok(CATALOGUE.iter().map(|spec| SettingView::new(spec, &snapshot)).collect())
}

pub async fn get(state: &AppState, key: &str) -> ServiceResult<SettingView> {
    let spec = known(key)?;
    Ok(SettingView::new(spec, &*state.settings.snapshot().await?))
}

/// Checks and stores `text` as the value of `key`; a refusal names `value` and says why (never
/// repeating a secret).
pub async fn set(state: &AppState, key: &str, text: &str, actor: &str) -> ServiceResult<SettingView> {
    let spec = known(key)?;
    let value = spec.parse(text).map_err(|e| Refusal::validation("value", e.0))?;
    if spec.key == "video.request_timeout_ms" {
        let longest = longest_video_request_ms(state.settings.hold_ttl_secs());
        if matches!(value, settings::SettingValue::Integer(ms) if ms > longest) {
            return Err(Refusal::validation(
                "value",
                format!(
                    "must be at most {longest} milliseconds: half the booking hold's time to live \
                     (pending_hold_ttl_secs = {})",
                    state.settings.hold_ttl_secs()
                ),
            )
            .into());
        }
    }
    if REQUIREMENTS.iter().any(|r| r.key == spec.key) {
        // Read what is stored now, not what this process cached.
        state.settings.invalidate();
        let mut next = state.settings.snapshot().await?.values.clone();
        next.insert(spec, value.clone());
        if let Some(unmet) = unmet(&next) {
            return Err(Refusal::validation("value", format!("{unmet} first")).into());
        }
    }
    let text = value.to_text();
    let details =
        if spec.secret { json!({"key": spec.key, "secret": true}) } else { json!({"key": spec.key, "value": text}) };
    let setting = StoredSetting {
        key: spec.key.to_string(),
        value: if spec.secret { state.config.secrets.master_key.seal(&text) } else { text },
        sealed: spec.secret,
        updated_at: state.clock.now(),
        updated_by: actor.to_string(),
    };
    let audit = state.audit.content(AuditEvent::success("setting.changed", None, actor).details(details));
    state.store.set_setting(SettingChange { setting, audit }).await?;
    state.settings.invalidate();
    tracing::info!(key = spec.key, actor, "setting changed");
    get(state, spec.key).await
}

/// Deletes the stored value of `key`, so its default is in force. Nothing is written or audited
/// when none is stored. A key the chosen video vendor needs cannot be reset.
pub async fn reset(state: &AppState, key: &str, actor: &str) -> ServiceResult<SettingView> {
    let spec = known(key)?;
    state.settings.invalidate();
    let mut next = state.settings.snapshot().await?.values.clone();
    next.remove(spec.key);
    if let Some(unmet) = unmet(&next).filter(|u| u.missing.contains(&spec.key)) {
        return Err(Refusal::validation(
            "key",
            format!("{} is {}, which needs {}; choose another {} first", unmet.key, unmet.value, spec.key, unmet.key),
        )
        .into());
    }
    let audit =
        state.audit.content(AuditEvent::success("setting.reset", None, actor).details(json!({"key": spec.key})));
    if state.store.delete_setting(spec.key, audit).await?.is_some() {
        state.settings.invalidate();
        tracing::info!(key = spec.key, actor, "setting reset to its default");
    }
    get(state, spec.key).await
}
