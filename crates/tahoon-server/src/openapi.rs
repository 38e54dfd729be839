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
        OrganizationKindName, RoleName, CatalogueKindName, ExceptionKindName, CatalogueName, SettingKey,
        VideoVendorName, RoomStatusName
    )),
    modifiers(&SecurityAndResponses),
    tags(
        (name = "auth", description = "OAuth 2.0 tokens"),
        (name = "admin", description = "Operator plane: bearer operator token from the server's configuration"),
        (name = "careprovider", description = "Care providers: catalogue, search with real-time slots, schedules, profiles"),
        (name = "user", description = "Users: registration, screening (PHQ-9, GAD-7), personal-data rights"),
        (name = "sessionbooking", description = "Booking, cancelling and rescheduling sessions"),
        (name = "organization", description = "The calling organization's own reports and reminder settings"),
        (name = "webhooks", description = "Signed webhooks: endpoints, deliveries, redelivery, test events (docs/webhooks.md)"),
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
            let mut response = ResponseBuilder::new().description(*description).content("application/json", envelope);
            if *name == "TooManyRequests" {
                for (header, description) in RATE_LIMIT_HEADERS {
                    let schema = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0));
                    let schema = if *header == "RateLimit-Policy" {
                        ObjectBuilder::new().schema_type(Type::String)
                    } else {
                        schema
                    };
                    let header_object = utoipa::openapi::header::HeaderBuilder::new()
                        .schema(Some(schema))
                        .description(Some(*description));
                    response = response.header(*header, header_object.build());
                }
            }
            components.responses.insert(name.to_string(), response.build().into());
        }
    }
}

/// The fields a rate-limited answer carries (every partner answer has the `RateLimit-*` ones).
const RATE_LIMIT_HEADERS: &[(&str, &str)] = &[
    ("Retry-After", "Seconds until a request is allowed again."),
    ("RateLimit-Limit", "Requests allowed per window."),
    ("RateLimit-Remaining", "Requests still allowed at once."),
    ("RateLimit-Reset", "Seconds until the whole quota is available again."),
    ("RateLimit-Policy", "The quota as `<limit>;w=<window seconds>`, such as `100;w=60`."),
];

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

mod birth_date;
mod errors;
mod schemas;
pub use birth_date::BirthDate;
pub use errors::*;
pub use schemas::*;
