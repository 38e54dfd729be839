//! The known settings, their groups, and which values need other settings set.
//!
//! The reference's groups (§9.2) and where they went: VideoSDK (25) is `videosdk`. The others
//! served the reference's wider platform (Smtp 1, Psyter 2, Ftp 4, SmartRoutingPayment 5,
//! PsyterMediaAPI 11, TurnServerDetail 14, FailedTransactionIntimationUsers 16, SMSGatewaySettings
//! 18, GoogleLoginSettings 19, GoogleReCaptchaSettings 20, DeleteUserAccountSettings 22): Tahoon
//! sends no mail, SMS or files, takes no payments and has no end-user log-in, and the video vendors
//! it supports bring their own TURN servers, so they have no counterpart (`docs/configuration.md`).

use super::{Requirement, SettingGroup, SettingSpec, SettingType, service_account};

const MS_CONNECT: SettingType = SettingType::Milliseconds { min: 100, max: 30_000 };
const MS_REQUEST: SettingType = SettingType::Milliseconds { min: 100, max: 60_000 };
const SERVICE_ACCOUNT: SettingType = SettingType::Json {
    what: "a service-account key (a JSON object with project_id, client_email, private_key and token_uri)",
    check: service_account,
};

pub const GROUPS: &[SettingGroup] = &[
    SettingGroup {
        name: "video",
        description: "Which vendor makes each session's video room, and how long Tahoon waits for it.",
        reference: None,
    },
    SettingGroup {
        name: "videosdk",
        description: "VideoSDK, the reference's video vendor: its API, keys and recording.",
        reference: Some("VideoSDK (25)"),
    },
    SettingGroup {
        name: "jitsi",
        description: "Jitsi Meet, the default vendor (needs no account): the server and its token keys.",
        reference: None,
    },
    SettingGroup {
        name: "livekit",
        description: "LiveKit (self-hosted): the server and its API keys.",
        reference: None,
    },
    SettingGroup {
        name: "fcm",
        description: "Firebase Cloud Messaging (HTTP v1): push notifications to care providers' apps.",
        reference: None,
    },
    SettingGroup {
        name: "privacy",
        description: "What personal data the vendors and care providers receive.",
        reference: None,
    },
];

const fn spec(
    key: &'static str,
    kind: SettingType,
    default: Option<&'static str>,
    description: &'static str,
) -> SettingSpec {
    SettingSpec { key, kind, secret: false, default, description }
}

const fn secret(key: &'static str, kind: SettingType, description: &'static str) -> SettingSpec {
    SettingSpec { key, kind, secret: true, default: None, description }
}

pub const CATALOGUE: &[SettingSpec] = &[
    spec(
        "video.provider",
        SettingType::Choice(&["jitsi", "videosdk", "livekit"]),
        Some("jitsi"),
        "The vendor that makes each session's video room: jitsi (needs no account), videosdk or livekit.",
    ),
    spec(
        "video.connect_timeout_ms",
        MS_CONNECT,
        Some("2000"),
        "Longest wait, in milliseconds, to connect to the video vendor.",
    ),
    spec(
        "video.request_timeout_ms",
        MS_REQUEST,
        Some("5000"),
        "Longest wait, in milliseconds, for a whole call to the video vendor; at most half the booking \
         hold's time to live (pending_hold_ttl_secs), so that a room arrives while its slot is held.",
    ),
    spec(
        "videosdk.api_endpoint",
        SettingType::Url,
        Some("https://api.videosdk.live"),
        "VideoSDK's API (the reference's VIDEOSDK_API_ENDPOINT).",
    ),
    spec(
        "videosdk.api_key",
        SettingType::Text,
        None,
        "VideoSDK's API key (VIDEOSDK_API_KEY); not secret: every token handed to participants carries it.",
    ),
    secret(
        "videosdk.secret_key",
        SettingType::Text,
        "VideoSDK's secret (VIDEOSDK_SECRET_KEY), which signs the management and participant tokens.",
    ),
    spec(
        "videosdk.enable_recording",
        SettingType::Bool,
        Some("false"),
        "Record VideoSDK sessions, with transcription and summary (VIDEO_SDK_ENABLE_RECORDING).",
    ),
    spec(
        "jitsi.base_url",
        SettingType::Url,
        Some("https://meet.jit.si"),
        "The Jitsi Meet server whose rooms sessions use (run your own in production).",
    ),
    spec(
        "jitsi.app_id",
        SettingType::Text,
        None,
        "The app id of a Jitsi server with token authentication; with jitsi.app_secret, join URLs carry \
         per-participant tokens.",
    ),
    secret("jitsi.app_secret", SettingType::Text, "Signs the Jitsi per-participant tokens (with jitsi.app_id)."),
    spec(
        "livekit.url",
        SettingType::Url,
        None,
        "The LiveKit server (its server API answers under /twirp; participants join it too).",
    ),
    spec("livekit.api_key", SettingType::Text, None, "The LiveKit API key (the tokens' issuer; not secret)."),
    secret("livekit.api_secret", SettingType::Text, "The LiveKit API secret, which signs its access tokens."),
    secret(
        "fcm.service_account",
        SERVICE_ACCOUNT,
        "The Firebase service-account key file (JSON); without it no push is sent.",
    ),
    spec(
        "fcm.base_url",
        SettingType::Url,
        Some("https://fcm.googleapis.com"),
        "The FCM HTTP v1 API (messages are sent to {base_url}/v1/projects/{project_id}/messages:send).",
    ),
    spec(
        "fcm.connect_timeout_ms",
        MS_CONNECT,
        Some("2000"),
        "Longest wait, in milliseconds, to connect to FCM or its token endpoint.",
    ),
    spec(
        "fcm.request_timeout_ms",
        MS_REQUEST,
        Some("10000"),
        "Longest wait, in milliseconds, for a whole call to FCM or its token endpoint.",
    ),
    spec(
        "privacy.share_user_name_with_providers",
        SettingType::Bool,
        Some("false"),
        "Show the user's name to care providers (push) and in video rooms; otherwise a neutral label. \
         For every organization (there is no per-organization switch yet).",
    ),
];

/// A video vendor other than Jitsi cannot work without its server and keys: choosing it needs
/// them set first, and they cannot be reset while it is chosen.
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement { key: "video.provider", value: "videosdk", needs: &["videosdk.api_key", "videosdk.secret_key"] },
    Requirement {
        key: "video.provider",
        value: "livekit",
        needs: &["livekit.url", "livekit.api_key", "livekit.api_secret"],
    },
];
