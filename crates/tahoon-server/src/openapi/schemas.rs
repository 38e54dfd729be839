//! Named schemas of the values the server checks: public ids, dates, times, zones, free text,
//! numbers with their bounds, and the other shapes requests and answers share.

use super::*;

/// A named string schema: a marker type whose `ToSchema` is the given builder calls.
macro_rules! string_schema {
    ($(#[doc = $doc:literal])+ $name:ident { $($call:ident($($arg:expr),*)),* $(,)? }) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!($($doc, "\n"),+).trim()))
                    $(.$call($($arg),*))*
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
}

/// The alphabet and length of the part of a public id after its prefix: base64url without
/// padding of a 12-byte tag and an 8-byte row number, so 27 characters whose last one carries
/// 4 bits (`tahoon_domain::public_id`).
macro_rules! public_id_pattern {
    ($prefix:literal) => {
        concat!("^", $prefix, "_[A-Za-z0-9_-]{26}[AEIMQUYcgkosw048]$")
    };
}

string_schema! {
    /// A user (`usr_` and 27 characters of A–Z a–z 0–9 - _), as `register` answers it.
    UserId { pattern(Some(public_id_pattern!("usr"))) }
}
string_schema! {
    /// A care provider (`cp_` and 27 characters of A–Z a–z 0–9 - _), as search answers it.
    CareProviderId { pattern(Some(public_id_pattern!("cp"))) }
}
string_schema! {
    /// A booking (`bkg_` and 27 characters of A–Z a–z 0–9 - _), as `booksession` answers it.
    BookingId { pattern(Some(public_id_pattern!("bkg"))) }
}
string_schema! {
    /// A webhook endpoint (`whe_` and 27 characters of A–Z a–z 0–9 - _), as creating it answers.
    WebhookEndpointId { pattern(Some(public_id_pattern!("whe"))) }
}
string_schema! {
    /// One event's delivery to one webhook endpoint (`whd_` and 27 characters of A–Z a–z 0–9 - _).
    WebhookDeliveryId { pattern(Some(public_id_pattern!("whd"))) }
}
string_schema! {
    /// An event (`evt_` and 27 characters): the `webhook-id` header of every attempt to deliver it,
    /// the same on retries and redeliveries, so receivers can de-duplicate.
    EventId { pattern(Some(public_id_pattern!("evt"))) }
}
string_schema! {
    /// An event type a webhook endpoint can receive, or `*` for all (docs/webhooks.md).
    WebhookEventName {
        enum_values(Some(
            std::iter::once("*").chain(tahoon_domain::webhooks::EventType::ALL_SUBSCRIBABLE.iter().map(|e| e.name()))
        ))
    }
}
string_schema! {
    /// A delivered event's type: a subscribable one, or `webhook.test` (the test route's).
    WebhookEventType {
        enum_values(Some(
            tahoon_domain::webhooks::EventType::ALL_SUBSCRIBABLE.iter().map(|e| e.name()).chain(["webhook.test"])
        ))
    }
}
string_schema! {
    /// Where a delivery stands: `pending` (waiting for its next attempt), `sending` (an attempt is
    /// under way), `succeeded`, `failed` (out of attempts, or its endpoint was disabled),
    /// `cancelled` (its endpoint was deleted).
    DeliveryStatusName { enum_values(Some(["pending", "sending", "succeeded", "failed", "cancelled"])) }
}
string_schema! {
    /// How an attempt went: `delivered` (2xx within 15 s), `refused` (another status; redirects
    /// are not followed), `gone` (410: the endpoint is disabled), `blocked` (the target resolved
    /// to a refused address: nothing was sent), `unreachable` (DNS, connection, TLS or timeout),
    /// `cancelled` (not attempted: the endpoint was deleted or disabled).
    AttemptOutcomeName {
        enum_values(Some(["delivered", "refused", "gone", "blocked", "unreachable", "cancelled"]))
    }
}
string_schema! {
    /// An organization (`org_` and 27 characters of A–Z a–z 0–9 - _).
    OrganizationId { pattern(Some(public_id_pattern!("org"))) }
}
string_schema! {
    /// A screening result (`asm_` and 27 characters of A–Z a–z 0–9 - _).
    AssessmentId { pattern(Some(public_id_pattern!("asm"))) }
}
string_schema! {
    /// A bookable slot (`applicationMultiSlotId`: `slot_` and 40 characters of A–Z a–z 0–9 - _), as
    /// search and schedule answer it; it names the provider, the start and the length.
    SlotId {
        pattern(Some("^slot_[A-Za-z0-9_-]{40}$"))
    }
}
string_schema! {
    /// A calendar date, `YYYY-MM-DD`.
    Date { format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))), examples(["2026-03-14"]) }
}
string_schema! {
    /// A clock time, `HH:MM` or `HH:MM:00`, from `00:00` to `24:00` (midnight at the end of the day).
    ClockTime { pattern(Some("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)(:00)?$")), examples(["09:30"]) }
}
string_schema! {
    /// An IANA time zone name known to the server's time zone database, such as `Asia/Riyadh`,
    /// `America/New_York` or `UTC` (matched without regard to ASCII case); another name is
    /// refused (105 ValidationFailed).
    TimeZoneName {
        pattern(Some("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$")),
        max_length(Some(64)),
        examples(["Asia/Riyadh"])
    }
}
string_schema! {
    /// A reference `secureHash`: lowercase (or uppercase) hex of an HMAC-SHA256 (`docs/signing.md`).
    /// Ignored when the `X-Tahoon-Signature` header signs the request.
    SecureHash { pattern(Some("^[0-9A-Fa-f]{64}$")) }
}
string_schema! {
    /// `Idempotency-Key`: 1–255 visible ASCII characters. The same key with the same request answers
    /// the stored response again (`Idempotent-Replayed: true`); with another request, 409.
    IdempotencyKey { pattern(Some("^[!-~]{1,255}$")) }
}
string_schema! {
    /// A booking status by name (`Confirmed`, `Cancelled`, …) or by code (`1`, `3`, …).
    BookingStatusFilter {
        enum_values(Some([
            "Pending", "Confirmed", "Cancelled", "Failed", "Completed", "NoShow", "6", "1", "3", "8", "9", "10"
        ]))
    }
}
string_schema! {
    /// `standard` (billed per session) or `charity` (spends a session balance).
    OrganizationKindName { enum_values(Some(["standard", "charity"])) }
}
string_schema! {
    /// An access key's role: `FullAccess` may change data, `ReadOnly` may only read.
    RoleName { enum_values(Some(["FullAccess", "ReadOnly"])) }
}
string_schema! {
    /// A known setting held in the database, `group.name` (`docs/configuration.md`); another key
    /// is 104 NotFound.
    SettingKey {
        enum_values(Some(tahoon_domain::settings::CATALOGUE.iter().map(|spec| spec.key))),
        examples(["video.provider"])
    }
}
string_schema! {
    /// A kind of filter-catalogue entry.
    CatalogueKindName { enum_values(Some(["language", "specialty", "experienceLevel", "providerLevel"])) }
}
string_schema! {
    /// `timeOff` (not available; the whole day without times) or `extraHours` (available besides the
    /// weekly windows; times required).
    ExceptionKindName { enum_values(Some(["timeOff", "extraHours"])) }
}
string_schema! {
    /// The name of a booking status.
    BookingStatusName { enum_values(Some(["Pending", "Confirmed", "Cancelled", "Failed", "Completed", "NoShow"])) }
}
string_schema! {
    /// The video service that holds a session's room (the operator's `video.provider` when it was made).
    VideoVendorName { enum_values(Some(["jitsi", "videosdk", "livekit"])) }
}
string_schema! {
    /// What the video service says of a session's room: `Valid`, `Missing`, `Disabled` or `Unknown`.
    RoomStatusName { enum_values(Some(["Valid", "Missing", "Disabled", "Unknown"])) }
}

/// Characters free text may hold: no control character but tab, line feed and a carriage return
/// before a line feed, and no bidirectional override or isolate (`tahoon_domain::anti_xss`). The
/// markup rules (tags, event handlers, script URLs, character references) are in the description.
const FREE_TEXT_CHARACTERS: &str = "[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]";
const FREE_TEXT_MARKUP: &str = "No markup or script: HTML tags, event-handler attributes, `javascript:`/`vbscript:`/\
`data:<type>/` URLs, numeric character references and named ones that decode to punctuation, or CSS `expression(` \
are refused (105 ValidationFailed naming the field).";

/// White space that free text may start with (no control character but tab and line feed).
const SPACES: &str = "(?:[\\t\\n \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]|\\r\\n)";

fn free_text(description: &str, non_blank: bool, max_length: Option<usize>) -> RefOr<Schema> {
    let any = format!("(?:{FREE_TEXT_CHARACTERS}|\\r\\n)*");
    // A value that is blank once trimmed counts as missing: at least one character that is not
    // white space.
    let pattern = if non_blank {
        format!("^{SPACES}*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]{any}$")
    } else {
        format!("^{any}$")
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!("{description} {FREE_TEXT_MARKUP}")))
        .pattern(Some(pattern))
        .min_length(non_blank.then_some(1))
        .max_length(max_length)
        .into()
}

/// A named free-text schema: `free_text!(Type, "what it is", non_blank, max_length)`.
macro_rules! free_text {
    ($(#[doc = $doc:literal])+ $name:ident, $non_blank:expr, $max:expr) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                free_text(concat!($($doc),+).trim(), $non_blank, $max)
            }
        }
        impl ToSchema for $name {}
    };
}

free_text! {
    /// A person's name: 1–200 characters, not blank.
    Name, true, Some(200)
}
free_text! {
    /// The organization's own id for the person: 1–100 characters, not blank, unique in the organization.
    ReferenceId, true, Some(100)
}
free_text! {
    /// A catalogue entry's name: 1–100 characters, not blank.
    CatalogueName, true, Some(100)
}
free_text! {
    /// Why a booking was cancelled: at most 500 characters.
    CancellationReason, false, Some(500)
}
free_text! {
    /// What the endpoint is for, for the organization's own people: at most 500 characters.
    WebhookDescription, false, Some(500)
}
free_text! {
    /// An answer to a text question: at most 2000 characters.
    AnswerText, false, Some(2000)
}
free_text! {
    /// A note kept with a status change.
    Note, false, None
}
free_text! {
    /// One of a provider's names: at most 100 characters (at least one name of the four is required).
    ProviderName, false, Some(100)
}
free_text! {
    /// A provider's short biography: at most 500 characters.
    ShortBio, false, Some(500)
}
free_text! {
    /// A provider's long biography: at most 5000 characters.
    LongBio, false, Some(5000)
}
free_text! {
    /// A degree, institution, certification or issuer: at most 200 characters.
    Credential, false, Some(200)
}

/// `from`/`to` of a booking history: an RFC 3339 instant or a date (midnight UTC).
pub struct DateOrInstant;
impl utoipa::PartialSchema for DateOrInstant {
    fn schema() -> RefOr<Schema> {
        // anyOf, not oneOf: where `format` is only an annotation, a string matches both.
        utoipa::openapi::schema::AnyOfBuilder::new()
            .description(Some("An RFC 3339 instant (`2026-03-14T09:30:00Z`) or a date (`2026-03-14`, midnight UTC)."))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .into()
    }
}
impl ToSchema for DateOrInstant {}

/// A named integer schema: a marker type with the given builder calls.
macro_rules! number_schema {
    ($(#[doc = $doc:literal])+ $name:ident: $ty:expr, { $($call:ident($($arg:expr),*)),* $(,)? }) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type($ty)
                    .description(Some(concat!($($doc, "\n"),+).trim()))
                    $(.$call($($arg),*))*
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
}

number_schema! {
    /// The reference's `gmtTimeDiffrenceHours`: a UTC offset in hours, -12 to 14 in steps of 0.25
    /// (3, 5.5, -4). `timeZone` wins when both are given.
    GmtOffsetHours: Type::Number, { minimum(Some(-12)), maximum(Some(14)), multiple_of(Some(0.25)) }
}
number_schema! {
    /// Minutes before a session at which a reminder goes: 1 to 20160 (two weeks).
    ReminderOffset: Type::Integer, { minimum(Some(1)), maximum(Some(20160)) }
}
number_schema! {
    /// `genderType`: 0 female, 1 male.
    GenderType: Type::Integer, { enum_values(Some([0, 1])) }
}
number_schema! {
    /// `catCommunicationTypeId`: 1 video (the default), 2 audio, 3 text.
    CommunicationType: Type::Integer, { enum_values(Some([1, 2, 3])) }
}
number_schema! {
    /// A booking status: 6 Pending, 1 Confirmed, 3 Cancelled, 8 Failed, 9 Completed, 10 NoShow.
    BookingStatusCode: Type::Integer, { enum_values(Some([6, 1, 3, 8, 9, 10])) }
}

/// The `Idempotency-Key` header of the signed routes that change data.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Idempotency {
    #[param(rename = "Idempotency-Key", value_type = IdempotencyKey, required = false)]
    #[allow(dead_code)]
    idempotency_key: Option<String>,
}

/// One entry of a provider's education (the import format).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EducationEntry {
    #[schema(value_type = Credential)]
    degree: String,
    #[schema(value_type = Credential)]
    institution: String,
    year: Option<i32>,
}

/// One of a provider's certifications (the import format).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
pub struct CertificationEntry {
    #[schema(value_type = Credential)]
    name: String,
    #[schema(value_type = Credential)]
    issuer: String,
    year: Option<i32>,
}
