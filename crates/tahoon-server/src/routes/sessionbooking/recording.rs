//! `GET /sessionbooking/getrecording/{bookingId}`: a session's recordings (reference §6.3, §11.3).

use super::views::{BookingPath, booking_id};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::openapi::{BookingId, ErrorEnvelope, QueryErrors, VendorUnavailable, VideoVendorName};
use crate::services::video::recordings;
use crate::state::AppState;
use axum::extract::State;
use serde::Serialize;
use tahoon_integrations::video::Recording;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingRecordings {
    #[schema(value_type = BookingId)]
    pub booking_id: String,
    /// The session's room at the video service; `null` when the booking never had one.
    pub meeting_id: Option<String>,
    /// The video service that holds the room; `null` when the booking never had one.
    #[schema(value_type = Option<VideoVendorName>)]
    pub video_vendor: Option<String>,
    /// Every recording the video service holds for the room, as it lists them; empty while there
    /// are none (the session has not happened, or recording is off: `videosdk.enable_recording`).
    pub recordings: Vec<RecordingView>,
}

/// One recording, as the video service describes it; any part it does not give is `null`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordingView {
    /// The video service's id of the recording.
    pub recording_id: Option<String>,
    /// The video service's id of the session (one room may hold several).
    pub session_id: Option<String>,
    /// Where to download the file (`null` while the service is still processing it). The link is
    /// the video service's: treat it as confidential.
    pub file_url: Option<String>,
    /// The file's size in bytes.
    pub size_bytes: Option<u64>,
    /// The recording's length in seconds.
    pub duration_seconds: Option<f64>,
    /// The file's format, as the video service names it (such as `mov,mp4,m4a,3gp,3g2,mj2`).
    pub format: Option<String>,
    /// When the recording was made.
    #[schema(format = DateTime)]
    pub created_at: Option<String>,
}

fn recording_view(r: Recording) -> RecordingView {
    RecordingView {
        recording_id: r.id,
        session_id: r.session_id,
        file_url: r.file_url,
        size_bytes: r.size_bytes,
        duration_seconds: r.duration_secs,
        format: r.format,
        created_at: r.created_at.map(|t| t.to_string()),
    }
}

/// A session's recordings.
///
/// Any role. The download links and what the video service says of each recording of the
/// booking's room, read from the service that made it (VideoSDK records when the operator enables
/// `videosdk.enable_recording`). Only the organization that owns the booking sees them.
#[utoipa::path(
    get,
    path = "/sessionbooking/getrecording/{bookingId}",
    tag = "sessionbooking",
    params(BookingPath),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The booking's recordings (an empty list while there are none, or when the \
            booking never had a video room)", body = Envelope<BookingRecordings>),
        QueryErrors,
        (status = 404, description = "104 NotFound: no such booking in this organization (another organization's \
            booking gets the same answer); or 116 RecordingNotSupported: the booking's video service does not \
            record sessions (Jitsi, LiveKit)", body = ErrorEnvelope),
        (status = 503, response = VendorUnavailable)
    )
)]
pub async fn get_recording(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiPath(path): ApiPath<BookingPath>,
) -> ApiResult<Success<BookingRecordings>> {
    let id = booking_id(&state, &path.booking_id)?;
    let found = recordings::recordings(&state, auth.organization.id, id).await?;
    let b = found.booking;
    Ok(Success(BookingRecordings {
        booking_id: state.ids.encode(b.id),
        video_vendor: b.meeting_id.as_ref().map(|_| b.video_vendor.unwrap_or_default().as_str().to_string()),
        meeting_id: b.meeting_id,
        recordings: found.recordings.into_iter().map(recording_view).collect(),
    }))
}
