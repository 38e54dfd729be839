//! The FCM HTTP v1 `message` bodies that tell a provider about a booking: one to the provider's
//! Android topic (data only, which the app turns into its own notification) and one to its iOS
//! topic (a visible notification, with the same data). Pure: no I/O, no clock.

use super::notification::NotificationType;
use super::texts::{Language, When, display_name, text};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// FCM's limit on a message to a topic: keys and values of the payload, in bytes.
pub const TOPIC_PAYLOAD_LIMIT: usize = 2048;

/// Why no message was built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("{} notifications are not sent", .0.name())]
    NotSent(NotificationType),
    #[error("the provider's time zone is not a known IANA time zone")]
    TimeZone,
    #[error("the provider id cannot be part of an FCM topic name")]
    ProviderId,
    #[error("the message is over FCM's {TOPIC_PAYLOAD_LIMIT}-byte limit for topics")]
    TooLarge,
}

/// The provider's part of its topics (`android_doctor_{id}~`): Tahoon's public care-provider id
/// (`cp_…`). The reference put its own provider number there; Tahoon's row numbers never leave the
/// service, and a topic anyone can guess is a topic any installed app can subscribe to, so the
/// opaque, unguessable public id (the one partners already hold) takes its place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderTopicId(String);

impl ProviderTopicId {
    /// `id` when FCM accepts it in a topic name (`[a-zA-Z0-9-_.~%]+`, here at most 200 characters).
    pub fn new(id: &str) -> Result<ProviderTopicId, MessageError> {
        let ok = !id.is_empty()
            && id.len() <= 200
            && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%'));
        if ok { Ok(ProviderTopicId(id.to_owned())) } else { Err(MessageError::ProviderId) }
    }

    pub fn android_topic(&self) -> String {
        format!("android_doctor_{}~", self.0)
    }

    pub fn ios_topic(&self) -> String {
        format!("ios_doctor_{}~", self.0)
    }
}

/// What a provider is told about one booking.
#[derive(Clone, PartialEq, Eq)]
pub struct BookingNotice {
    pub notification_type: NotificationType,
    pub provider_id: ProviderTopicId,
    /// The booking's public id (`bkg_…`), so the app can tell notices of one booking apart.
    pub booking_id: String,
    /// The session (after a reschedule: its new time), in UTC.
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The provider's IANA time zone: the local date and times are in it.
    pub time_zone: String,
    /// The video room's id, when the booking has one.
    pub meeting_id: Option<String>,
    /// The client's name: `Some` only when the organization lets providers see it.
    pub user_display_name: Option<String>,
    /// The language of the iOS notification (the data carries both languages).
    pub language: Language,
}

impl fmt::Debug for BookingNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BookingNotice")
            .field("notification_type", &self.notification_type)
            .field("provider_id", &self.provider_id)
            .field("booking_id", &self.booking_id)
            .field("user_display_name", &self.user_display_name.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// FCM's `Notification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub title: String,
    pub body: String,
}

/// FCM's `AndroidConfig`, as far as Tahoon sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AndroidConfig {
    /// `HIGH`: the app shows the booking at once, also in Doze (a data message is `NORMAL` else).
    pub priority: &'static str,
}

/// An FCM HTTP v1 `Message` to a topic. `Debug` shows the topic and the data's keys only.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub topic: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
    /// Strings only, as FCM requires.
    pub data: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub android: Option<AndroidConfig>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("topic", &self.topic)
            .field("notification", &self.notification.is_some())
            .field("data", &self.data.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Message {
    /// The bytes FCM counts against [`TOPIC_PAYLOAD_LIMIT`]: the data's keys and values and the
    /// notification's title and body.
    pub fn payload_size(&self) -> usize {
        let data: usize = self.data.iter().map(|(k, v)| k.len() + v.len()).sum();
        data + self.notification.as_ref().map_or(0, |n| n.title.len() + n.body.len())
    }
}

/// The two messages of one notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingMessages {
    /// To `android_doctor_{id}~`: data only.
    pub android: Message,
    /// To `ios_doctor_{id}~`: notification and data.
    pub ios: Message,
}

impl BookingMessages {
    pub fn both(&self) -> [&Message; 2] {
        [&self.android, &self.ios]
    }
}

/// The local date (`YYYY-MM-DD`), time (`HH:MM:SS`) and UTC offset (`+03:00`) of `at` in `zone`.
fn local(zone: &TimeZone, at: Timestamp) -> (String, String, String) {
    let local = zone.to_datetime(at);
    let seconds = zone.to_offset(at).seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let offset = format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60);
    (local.date().to_string(), local.time().strftime("%H:%M:%S").to_string(), offset)
}

/// Builds the Android and iOS messages of `notice`.
pub fn booking_messages(notice: &BookingNotice) -> Result<BookingMessages, MessageError> {
    let kind = notice.notification_type;
    if !kind.is_sent() {
        return Err(MessageError::NotSent(kind));
    }
    let zone = TimeZone::get(&notice.time_zone).map_err(|_| MessageError::TimeZone)?;
    let zone_name = zone.iana_name().unwrap_or(&notice.time_zone).to_owned();
    let (date, start, offset) = local(&zone, notice.starts_at);
    let (_, end, _) = local(&zone, notice.ends_at);
    let name = notice.user_display_name.as_deref().and_then(display_name);
    let when = When { date: date.clone(), time: start[..5].to_owned(), zone: zone_name.clone() };
    let english = text(kind, Language::English, name.as_deref(), &when).ok_or(MessageError::NotSent(kind))?;
    let arabic = text(kind, Language::Arabic, name.as_deref(), &when).ok_or(MessageError::NotSent(kind))?;

    let mut data = BTreeMap::new();
    let mut put = |key: &str, value: String| {
        data.insert(key.to_owned(), value);
    };
    put("notificationType", kind.code().to_string());
    put("notificationTypeName", kind.name().to_owned());
    put("bookingId", notice.booking_id.clone());
    if let Some(meeting) = notice.meeting_id.as_ref().filter(|m| !m.is_empty()) {
        put("meetingId", meeting.clone());
    }
    put("slotDate", date);
    put("slotStartTime", start);
    put("slotEndTime", end);
    put("startUtc", notice.starts_at.to_string());
    put("endUtc", notice.ends_at.to_string());
    put("timeZone", zone_name);
    put("utcOffset", offset);
    if let Some(name) = &name {
        put("clientName", name.clone());
    }
    put("titleEn", english.title.clone());
    put("bodyEn", english.body.clone());
    put("titleAr", arabic.title.clone());
    put("bodyAr", arabic.body.clone());

    let shown = match notice.language {
        Language::English => english,
        Language::Arabic => arabic,
    };
    let android = Message {
        topic: notice.provider_id.android_topic(),
        notification: None,
        data: data.clone(),
        android: Some(AndroidConfig { priority: "HIGH" }),
    };
    let ios = Message {
        topic: notice.provider_id.ios_topic(),
        notification: Some(Notification { title: shown.title, body: shown.body }),
        data,
        android: None,
    };
    if android.payload_size() > TOPIC_PAYLOAD_LIMIT || ios.payload_size() > TOPIC_PAYLOAD_LIMIT {
        return Err(MessageError::TooLarge);
    }
    Ok(BookingMessages { android, ios })
}

#[cfg(test)]
mod tests;
