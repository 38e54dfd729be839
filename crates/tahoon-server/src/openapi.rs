//! The OpenAPI 3.1 document, generated from the route annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tahoon API",
        description = "Partner API for registering people, mental-health screening, finding care providers and \
booking video therapy sessions. Every partner route is served under `/api/v1/…` and, deprecated, under `/api/…`. \
Responses use the envelope `{status, reason, reasonName, message, data, requestId}` except the OAuth token routes.",
        version = "1.0.0"
    ),
    modifiers(&BearerAuth),
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

struct BearerAuth;

impl Modify for BearerAuth {
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
    }
}
