//! The OpenAPI 3.1 document, generated from the route annotations, and what the annotations share:
//! named schemas for the values the server checks (public ids, dates, clock times, zones, codes),
//! the error envelope, and the error responses each kind of route can give.
//!
//! A route names its request fields' schemas with `#[schema(value_type = …)]` (or
//! `#[param(value_type = …)]`) pointing at the types below, and lists its error answers with one
//! of the response sets at the end ([`ReadErrors`], [`SignedErrors`], …) plus the statuses only it
//! gives (`(status = 404, response = NotFound)`). `docs/openapi.md` says what the document
//! guarantees and how CI checks it.

use std::collections::BTreeMap;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, KnownFormat, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tahoon API",
        description = "Partner API for registering people, mental-health screening, finding care providers and \
booking video therapy sessions. Every partner route is served under `/api/v1/…` and, deprecated, under `/api/…`. \
Responses use the envelope `{status, reason, reasonName, message, data, requestId}` except the OAuth token routes.",
        version = "1.0.0"
    ),
    components(schemas(
        ErrorEnvelope, UserId, CareProviderId, BookingId, SlotId, OrganizationId, AssessmentId, Date, BirthDate,
        DateOrInstant,
        ClockTime, TimeZoneName, GmtOffsetHours, GenderType, CommunicationType, BookingStatusCode,
        BookingStatusName, BookingStatusFilter, SecureHash, Name, ReferenceId, CancellationReason, AnswerText,
        Note, ProviderName, ShortBio, LongBio, Credential, IdempotencyKey, EducationEntry, CertificationEntry,
        OrganizationKindName, RoleName, CatalogueKindName, ExceptionKindName, CatalogueName
    )),
    modifiers(&SecurityAndResponses),
    tags(
        (name = "auth", description = "OAuth 2.0 tokens"),
        (name = "admin", description = "Operator plane: bearer operator token from the server's configuration"),
        (name = "careprovider", description = "Care providers: catalogue, search with real-time slots, schedules, profiles"),
        (name = "user", description = "Users: registration, screening (PHQ-9, GAD-7), personal-data rights"),
        (name = "sessionbooking", description = "Booking, cancelling and rescheduling sessions"),
        (name = "diagnostics", description = "Help for integrating partners"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct SecurityAndResponses;

impl Modify for SecurityAndResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Tahoon-Signature",
                "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\"> keyed with the organization's shared key; \
                 on routes without a body the signed string is \"<t>.<METHOD> <path?query>\". Each operation's \
                 x-tahoon-signature says which forms it accepts: only register, booksession and cancelbooking (and \
                 the diagnostics route) also accept the reference's secureHash body field, as the alternative \
                 requirement with the bearer token alone.",
            ))),
        );
        components.add_security_scheme(
            "operator",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        for (name, description) in ERROR_RESPONSES {
            let envelope = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorEnvelope"))).build();
            let response = ResponseBuilder::new().description(*description).content("application/json", envelope);
            components.responses.insert(name.to_string(), response.build().into());
        }
    }
}

/// What can only be done once the routes' schemas are in the document (`startup::api` calls it).
pub fn finish(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    if let Some(components) = openapi.components.as_mut() {
        for (name, schema) in components.schemas.iter_mut() {
            if name.starts_with("Envelope_") {
                nullable_data(schema);
            }
            for (request, rules) in REQUEST_RULES {
                if name == request {
                    // Provider names may be blank one by one; the id, date and time schemas the
                    // other rules name cannot be.
                    require_one_of(schema, rules, request == &"ProviderInput");
                }
            }
        }
    }
    openapi
}

/// Fields a request needs together, which no field attribute can say: for each request, groups of
/// alternatives, one of which must be given in full (not null).
const REQUEST_RULES: &[(&str, &[&[&[&str]]])] = &[
    (
        "BookRequest",
        &[
            // An existing user, or a guest registered with the booking.
            &[&["userId"], &["referenceId", "name", "dob", "genderType"]],
            // A slot by its id, or by its provider, date and times.
            &[&["applicationMultiSlotId"], &["careProviderId", "slotDate", "slotStartTime", "slotEndTime"]],
        ],
    ),
    ("RescheduleRequest", &[&[&["applicationMultiSlotId"], &["slotDate", "slotStartTime", "slotEndTime"]]]),
    // A name in at least one language.
    ("ProviderInput", &[&[&["firstNamePLang"], &["lastNamePLang"], &["firstNameSLang"], &["lastNameSLang"]]]),
];

/// Adds `allOf: [{anyOf: [<alternative>, …]}, …]` beside the object's `properties`, where an
/// alternative requires its fields and refuses `null` for them (and, with `non_blank`, a blank
/// string, which the server reads as absent). (utoipa's `Object` has no `allOf`;
/// the keyword goes through its map of extensions, which is written flat into the object.)
fn require_one_of(schema: &mut RefOr<Schema>, rules: &[&[&[&str]]], non_blank: bool) {
    let RefOr::T(Schema::Object(object)) = schema else { return };
    let mut all = utoipa::openapi::schema::AllOfBuilder::new();
    for alternatives in rules {
        let mut any = utoipa::openapi::schema::AnyOfBuilder::new();
        for fields in *alternatives {
            let mut alternative = ObjectBuilder::new();
            for field in *fields {
                let not_null = Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                            Type::String,
                            Type::Integer,
                            Type::Number,
                        ]))
                        .pattern(non_blank.then_some("\\S"))
                        .build(),
                );
                alternative = alternative.property(*field, not_null).required(*field);
            }
            any = any.item(alternative);
        }
        all = all.item(any);
    }
    let all_of = serde_json::to_value(all.build().items).expect("schemas serialize");
    object.extensions.get_or_insert_with(Default::default).insert("allOf".to_string(), all_of);
}

/// An envelope's `data` is always sent, and is `null` when the answer carries none: an error, or
/// 4 RecordAlreadyExist and 50 CharityOrganizationBalanceOut, which answer HTTP 200 with `status` 0.
/// (utoipa drops the nullability of the generic `Option<T>` field, so it is restored here.)
fn nullable_data(envelope: &mut RefOr<Schema>) {
    let RefOr::T(Schema::Object(object)) = envelope else { return };
    let Some(data) = object.properties.remove("data") else { return };
    let nullable = OneOfBuilder::new().item(data).item(ObjectBuilder::new().schema_type(Type::Null)).description(Some(
        "The answer's data; `null` when there is none (4 RecordAlreadyExist and 50 \
             CharityOrganizationBalanceOut answer HTTP 200 with `status` 0 and may carry none).",
    ));
    object.properties.insert("data".to_string(), nullable.into());
    object.required.push("data".to_string());
}

// --- Named schemas of the values the server checks ---------------------------------------------

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
    /// A date of birth, `YYYY-MM-DD`: not in the future and giving an age of 0 to 120 years (the
    /// pattern admits the years 1900–2099, a superset of those).
    BirthDate {
        format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        pattern(Some("^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")),
        examples(["1990-05-15"])
    }
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

// --- Errors ------------------------------------------------------------------------------------

/// The envelope of an answer that is not a success: `status` 0, the reason, a message, and in
/// `data` what helps the client (or `null`).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ErrorEnvelope {
    /// 0.
    #[schema(minimum = 0, maximum = 0)]
    status: u8,
    /// The reason code (the table in `docs/API-DESIGN.md`), such as 105.
    reason: u16,
    /// The reason's name, such as `ValidationFailed`.
    reason_name: String,
    /// What went wrong, in the language of `Accept-Language`; ends with `(field: what is wrong)`
    /// for an input error.
    message: String,
    data: Option<ErrorData>,
    /// The request id, also in the `x-request-id` response header.
    request_id: String,
}

/// What an error answer tells besides its reason.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ErrorData {
    /// The offending field, with its JSON path (`answers[1].questionId`), query or path parameter.
    field: Option<String>,
    /// On a `secureHash` mismatch: the exact string the server signed.
    canonical_string: Option<String>,
    /// On 115 ActiveBookingLimitReached: the organization's cap.
    max_active_bookings_per_user: Option<i64>,
}

/// The error responses (`#/components/responses/…`), each an [`ErrorEnvelope`].
const ERROR_RESPONSES: &[(&str, &str)] = &[
    (
        "BadRequest",
        "Input refused: 1 EmptyParameter (a required field or parameter is missing, or the body is not JSON), \
         105 ValidationFailed (a wrong type, an unknown field, a refused value), 18 UserNotFound (no such user in \
         this organization). `data.field` names the field.",
    ),
    (
        "Unauthorized",
        "101 InvalidToken: the bearer token is missing, malformed, expired or revoked, or its organization is \
         disabled; on a signed route also 102 InvalidSignature (missing, wrong, stale or replayed).",
    ),
    ("Forbidden", "103 Forbidden: the key's role (ReadOnly) may not change data."),
    (
        "NotFound",
        "104 NotFound: no such resource in this organization (another organization's id gets the same answer), \
         or 16 NotAllowed: the slot is not available, or the booking's status or the organization's policy does \
         not allow the change.",
    ),
    (
        "Conflict",
        "107 IdempotencyConflict: the `Idempotency-Key` was used with another request, or its first request is \
         still running; on booking also 115 ActiveBookingLimitReached (`data.maxActiveBookingsPerUser`).",
    ),
    ("PayloadTooLarge", "110 PayloadTooLarge: the body is over the server's limit (256 KiB by default)."),
    ("UnsupportedMediaType", "111 UnsupportedMediaType: a body sent with a content type other than JSON."),
    ("VendorUnavailable", "108 VendorUnavailable: the video service failed; nothing was booked."),
];

fn error_refs(statuses: &[(&str, &str)]) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    statuses.iter().map(|(status, name)| (status.to_string(), Ref::from_response_name(*name).into())).collect()
}

/// Declares a set of error responses that a kind of route gives.
macro_rules! error_set {
    ($(#[doc = $doc:literal])+ $name:ident: [$(($status:literal, $response:literal)),+ $(,)?]) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                error_refs(&[$(($status, $response)),+])
            }
        }
    };
}

error_set! {
    /// A partner route that reads a JSON body (search, schedule, profile).
    ReadErrors: [("400", "BadRequest"), ("401", "Unauthorized"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]
}
error_set! {
    /// A partner route without a body (query and path parameters only).
    QueryErrors: [("400", "BadRequest"), ("401", "Unauthorized")]
}
error_set! {
    /// A signed partner route with a JSON body that changes data (and honours `Idempotency-Key`).
    SignedErrors: [
        ("400", "BadRequest"), ("401", "Unauthorized"), ("403", "Forbidden"), ("409", "Conflict"),
        ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")
    ]
}
error_set! {
    /// A signed partner route without a body (a body, or a content type other than JSON, is refused).
    SignedNoBodyErrors: [("400", "BadRequest"), ("401", "Unauthorized"), ("415", "UnsupportedMediaType")]
}
error_set! {
    /// An operator route with a JSON body.
    OperatorErrors: [("400", "BadRequest"), ("401", "Unauthorized"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]
}

/// Reference to one error response, for the statuses a single route adds to its set.
macro_rules! error_response {
    ($($name:ident),+) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` error response.")]
            pub struct $name;
            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                    (stringify!($name), Ref::from_response_name(stringify!($name)).into())
                }
            }
        )+
    };
}

error_response!(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, VendorUnavailable, UnsupportedMediaType);
