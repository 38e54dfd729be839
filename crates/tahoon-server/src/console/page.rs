//! The frame of every console page: language and direction, the skip link, navigation, who is
//! signed in, the language switch and signing out.

use super::session::SignedIn;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::console::Principal;
use tahoon_domain::texts::{Language, Text};

impl SignedIn {
    /// The frame of a page this session draws at `path`.
    pub fn frame<'a>(&'a self, path: &'a str) -> Frame<'a> {
        Frame { language: self.language, signed_in: Some(self), path }
    }
}

/// What a page is drawn for.
pub struct Frame<'a> {
    pub language: Language,
    pub signed_in: Option<&'a SignedIn>,
    /// The page's own path, for the navigation's current item and the language switch's way back.
    pub path: &'a str,
}

impl Frame<'_> {
    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.language)
    }

    /// A full page with status 200.
    pub fn page(&self, title: Text, body: Markup) -> Response {
        self.page_with(StatusCode::OK, title, body)
    }

    pub fn page_with(&self, status: StatusCode, title: Text, body: Markup) -> Response {
        self.page_refreshed(status, None, title, body)
    }

    /// A page that reloads `refresh` every two seconds while it is `Some` (a `meta` refresh: no
    /// script needed), for work under way.
    pub fn page_refreshing(&self, refresh: Option<&str>, title: Text, body: Markup) -> Response {
        self.page_refreshed(StatusCode::OK, refresh, title, body)
    }

    fn page_refreshed(&self, status: StatusCode, refresh: Option<&str>, title: Text, body: Markup) -> Response {
        let language = self.language;
        let other = match language {
            Language::English => "ar",
            Language::Arabic => "en",
        };
        let markup = html! {
            (DOCTYPE)
            html lang=(language.tag()) dir=(language.direction()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    @if let Some(url) = refresh { meta http-equiv="refresh" content={ "2; url=" (url) }; }
                    title { (self.t(title)) " · " (self.t(Text::Console)) }
                    link rel="stylesheet" href="/console/assets/console.css";
                    script src="/console/assets/console.js" defer {}
                }
                body {
                    a class="skip" href="#content" { (self.t(Text::SkipToContent)) }
                    header {
                        span class="brand" { (self.t(Text::Console)) }
                        @if let Some(signed_in) = self.signed_in { (self.navigation(signed_in)) }
                        div class="who" {
                            a href={ "/console/language/" (other) "?back=" (self.path) } lang=(other) hreflang=(other) {
                                (self.t(Text::OtherLanguage))
                            }
                            @if let Some(signed_in) = self.signed_in {
                                span { (self.t(Text::SignedInAs)) " " (who(signed_in, self)) }
                                form method="post" action="/console/sign-out" {
                                    input type="hidden" name="csrf" value=(signed_in.csrf_token);
                                    button class="secondary" type="submit" { (self.t(Text::SignOut)) }
                                }
                            }
                        }
                    }
                    main id="content" tabindex="-1" {
                        h1 { (self.t(title)) }
                        @if self.signed_in.is_some_and(|s| !s.can_change()) {
                            p class="notice" role="status" { (self.t(Text::ReadOnly)) }
                        }
                        (body)
                    }
                }
            }
        };
        (status, Html(markup.into_string())).into_response()
    }

    fn navigation(&self, signed_in: &SignedIn) -> Markup {
        let items: &[(&str, Text)] = match signed_in.principal {
            Principal::Partner { .. } => &[
                ("/console/overview", Text::Overview),
                ("/console/bookings", Text::Bookings),
                ("/console/providers", Text::Providers),
                ("/console/users", Text::Users),
                ("/console/screening", Text::Screening),
                ("/console/webhooks", Text::Webhooks),
                ("/console/audit", Text::AuditTrail),
                ("/console/keys", Text::Keys),
            ],
            Principal::Operator => &[
                ("/console/organizations", Text::Organizations),
                ("/console/care-providers", Text::Providers),
                ("/console/settings", Text::Settings),
                ("/console/system", Text::SystemPage),
            ],
        };
        html! {
            nav aria-label=(self.t(Text::MainNavigation)) {
                ul {
                    @for (href, text) in items {
                        li {
                            @if self.path.starts_with(href) {
                                a href=(href) aria-current="page" { (self.t(*text)) }
                            } @else {
                                a href=(href) { (self.t(*text)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A message above a page's content.
    pub fn notice(&self, text: Text, error: bool) -> Markup {
        html! { p class={ "notice " (if error { "error" } else { "ok" }) } role=(if error { "alert" } else { "status" }) { (self.t(text)) } }
    }

    /// The page of a refused action: the reason's message in the page's language, with the
    /// reason's HTTP status (as the API would answer).
    pub fn refusal_page(&self, title: Text, error: impl Into<crate::error::ApiError>) -> Response {
        let reason = error.into().reason();
        let status = StatusCode::from_u16(reason.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        self.page_with(status, title, html! { p class="notice error" role="alert" { (reason.message(self.language)) } })
    }

    /// A form that changes something only once its box is ticked (the server requires the box;
    /// the script keeps the button disabled until then): `name-confirm` and `name-submit` are its
    /// box's and button's ids, `fields` what it carries besides.
    pub fn confirmed_form(
        &self,
        action: &str,
        name: &str,
        confirm: Text,
        submit: Text,
        danger: bool,
        fields: Markup,
    ) -> Markup {
        html! {
            form class="stack" method="post" action=(action) data-confirmed-by={ (name) "-confirm" } {
                (self.csrf())
                (fields)
                label { input type="checkbox" id={ (name) "-confirm" } name="confirm" value="yes" required; (self.t(confirm)) }
                button class=(if danger { "danger" } else { "primary" }) type="submit" id={ (name) "-submit" } { (self.t(submit)) }
            }
        }
    }

    /// The hidden CSRF field every form of a signed-in page carries.
    pub fn csrf(&self) -> Markup {
        html! {
            @if let Some(signed_in) = self.signed_in {
                input type="hidden" name="csrf" value=(signed_in.csrf_token);
            }
        }
    }

    pub fn status(&self, status: BookingStatus) -> &'static str {
        self.t(match status {
            BookingStatus::Pending => Text::Pending,
            BookingStatus::Confirmed => Text::Confirmed,
            BookingStatus::Cancelled => Text::CancelledStatus,
            BookingStatus::Failed => Text::Failed,
            BookingStatus::Completed => Text::Completed,
            BookingStatus::NoShow => Text::NoShow,
        })
    }
}

fn who(signed_in: &SignedIn, frame: &Frame<'_>) -> String {
    match (&signed_in.organization, signed_in.principal) {
        (Some(organization), _) => organization.name.clone(),
        (None, _) => frame.t(Text::Operator).to_string(),
    }
}
