//! What can go wrong with a video vendor. Every variant names the vendor; none carries a secret
//! or personal data (a refused answer keeps a short excerpt with the secrets sent redacted).

use crate::http::HttpFailure;
use crate::video::VideoProvider;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VideoError {
    /// No connection (refused, DNS, TLS).
    #[error("{vendor} is unreachable: {reason}")]
    Unreachable { vendor: VideoProvider, reason: String },
    /// No whole answer within the request timeout.
    #[error("{vendor} did not answer within {timeout_ms} ms")]
    Timeout { vendor: VideoProvider, timeout_ms: u64 },
    /// An answer with a status the call does not accept.
    #[error("{vendor} refused the request: HTTP {status}: {excerpt}")]
    Refused { vendor: VideoProvider, status: u16, excerpt: String },
    /// An answer that is not what the vendor's API promises (garbage, wrong shape, too large).
    #[error("{vendor} answered something unexpected: {detail}")]
    Malformed { vendor: VideoProvider, detail: String },
    /// The vendor's settings are missing or invalid.
    #[error("{vendor} is not configured: {detail}")]
    NotConfigured { vendor: VideoProvider, detail: String },
    /// The vendor does not do this (recordings on Jitsi or LiveKit).
    #[error("{vendor} does not support {what}")]
    NotSupported { vendor: VideoProvider, what: &'static str },
}

impl VideoError {
    pub fn vendor(&self) -> VideoProvider {
        match self {
            VideoError::Unreachable { vendor, .. }
            | VideoError::Timeout { vendor, .. }
            | VideoError::Refused { vendor, .. }
            | VideoError::Malformed { vendor, .. }
            | VideoError::NotConfigured { vendor, .. }
            | VideoError::NotSupported { vendor, .. } => *vendor,
        }
    }

    /// The vendor failed to serve (as opposed to not being set up, or not offering the feature):
    /// the saga answers 503 and the same request may succeed later.
    pub fn is_vendor_unavailable(&self) -> bool {
        matches!(
            self,
            VideoError::Unreachable { .. }
                | VideoError::Timeout { .. }
                | VideoError::Refused { .. }
                | VideoError::Malformed { .. }
        )
    }

    pub(crate) fn from_http(vendor: VideoProvider, failure: HttpFailure) -> VideoError {
        match failure {
            HttpFailure::Unreachable(reason) => VideoError::Unreachable { vendor, reason },
            HttpFailure::Timeout(t) => {
                VideoError::Timeout { vendor, timeout_ms: u64::try_from(t.as_millis()).unwrap_or(u64::MAX) }
            }
            HttpFailure::Status { status, excerpt } => VideoError::Refused { vendor, status, excerpt },
            HttpFailure::TooLarge { limit } => {
                VideoError::Malformed { vendor, detail: format!("an answer larger than {limit} bytes") }
            }
        }
    }

    pub(crate) fn malformed(vendor: VideoProvider, detail: impl Into<String>) -> VideoError {
        VideoError::Malformed { vendor, detail: detail.into() }
    }

    pub(crate) fn not_configured(vendor: VideoProvider, detail: impl Into<String>) -> VideoError {
        VideoError::NotConfigured { vendor, detail: detail.into() }
    }
}
