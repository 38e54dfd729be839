//! The console over HTTP, without a browser (issue 15): sign-in, cookie flags, CSRF, roles, session
//! revocation, languages, escaping. The browser flows are `console_browser`.

use crate::careprovider::{admin, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, setup, slots, user};
use serde_json::json;
use std::collections::BTreeMap;
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_store::Backend;

/// A browser without a browser: a cookie jar, no redirects followed.
pub struct Visitor<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    pub language: Option<&'static str>,
}

pub struct Page {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub location: Option<String>,
    pub html: String,
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Visitor<'a> {
        Visitor { app, cookies: BTreeMap::new(), language: None }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let mut request = request.header("cookie", cookie);
        if let Some(language) = self.language {
            request = request.header("accept-language", language);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let set_cookies: Vec<String> =
            response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        for line in &set_cookies {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        Page { status, set_cookies, location, html: response.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.app.http.get(self.app.url(path));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let request = self.app.http.post(self.app.url(path)).form(form);
        self.send(request).await
    }

    /// Signs in (`partner` with an access key, `operator` with the token); the page it lands on.
    pub async fn sign_in(&mut self, kind: &str, secret: &str) -> Page {
        let form = self.get("/console/sign-in").await;
        let token = field(&form.html, "form");
        let landed = self.post("/console/sign-in", &[("form", &token), ("kind", kind), ("secret", secret)]).await;
        assert_eq!((landed.status, landed.location.as_deref()), (303, Some("/console")), "{}", landed.html);
        let home = self.get("/console").await;
        self.get(home.location.as_deref().unwrap()).await
    }
}

/// The value of the first form field `name` in a page.
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// A partner with one booking made over the API; its booking id.
pub async fn partner_with_a_booking(app: &TestApp, provider: &str, role: Role) -> (Partner, String, Partner) {
    let p = app.partner().await;
    let me = user(app, &p, "ORG-USER-1").await;
    let free = slots(app, &p, provider, &soon()).await;
    let (status, booked) = app.send(&p, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!(status, 200, "{booked}");
    // A second key of another role would need the admin routes; a ReadOnly organization of its own
    // stands for it.
    let viewer = app.create_org(OrganizationKind::Standard, role, false).await;
    let token = app.access_token(&viewer).await;
    (p, booked["data"]["bookingId"].as_str().unwrap().to_string(), Partner { org: viewer, token })
}

async fn sign_in_sets_a_strict_session_cookie_and_every_form_needs_its_token(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, booking, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let mut v = Visitor::new(&app);

    // Wrong keys are refused without a session; the form's own token is required too.
    let form = v.get("/console/sign-in").await;
    assert!(form.set_cookies.iter().any(|c| c.starts_with("tahoon_sign_in=") && c.contains("HttpOnly")));
    let token = field(&form.html, "form");
    let wrong = v.post("/console/sign-in", &[("form", &token), ("kind", "partner"), ("secret", "thn_ak_wrong")]).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.html.contains("These credentials are not accepted."));
    let forged =
        v.post("/console/sign-in", &[("form", "other"), ("kind", "partner"), ("secret", &p.org.access_key)]).await;
    assert_eq!(forged.status, 403, "a sign-in form from elsewhere");
    assert_eq!(v.get("/console/bookings").await.location.as_deref(), Some("/console/sign-in"));

    let page = v.sign_in("partner", &p.org.access_key).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("<h1>Overview</h1>"), "a partner lands on its overview");
    let list = v.get("/console/bookings").await;
    assert!(list.html.contains(&booking), "the booking made over the API is listed");
    let session = v.cookies.get("tahoon_console").cloned().unwrap();
    assert!(session.len() >= 40);

    // The session cookie: HttpOnly, SameSite=Strict, the console's path; not Secure over plain HTTP.
    let form = v.get("/console/sign-in").await;
    let token = field(&form.html, "form");
    let mut other = Visitor::new(&app);
    other.cookies.insert("tahoon_sign_in".into(), token.clone());
    let landed =
        other.post("/console/sign-in", &[("form", &token), ("kind", "partner"), ("secret", &p.org.access_key)]).await;
    let cookie = landed.set_cookies.iter().find(|c| c.starts_with("tahoon_console=")).unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=43200"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP");

    // Posts without the session's token are refused and change nothing.
    let detail = v.get(&format!("/console/bookings/{booking}")).await;
    assert!(detail.html.contains("id=\"cancel-submit\""), "{}", detail.html);
    for csrf in ["", "csrf_forged"] {
        let refused =
            v.post(&format!("/console/bookings/{booking}/cancel"), &[("csrf", csrf), ("confirm", "yes")]).await;
        assert_eq!(refused.status, 403);
        assert!(refused.html.contains("This form has expired"));
    }
    let refused = v.post("/console/keys/rotate", &[("confirm", "yes")]).await;
    assert_eq!(refused.status, 403);
    let (status, _) = app
        .call_signed(
            reqwest::Method::GET,
            &format!("/api/v1/sessionbooking/{booking}"),
            &p.token,
            &p.org.shared_key,
            None,
        )
        .await;
    assert_eq!(status, 200, "the keys still work: nothing was rotated");
    let still = v.get(&format!("/console/bookings/{booking}")).await;
    assert!(still.html.contains("Confirmed"), "not cancelled");

    // With the token, cancelling works and the history shows it.
    let csrf = field(&still.html, "csrf");
    let done = v
        .post(
            &format!("/console/bookings/{booking}/cancel"),
            &[("csrf", &csrf), ("confirm", "yes"), ("reason", "moved abroad")],
        )
        .await;
    assert_eq!(done.status, 303);
    let after = v.get(&format!("/console/bookings/{booking}?cancelled=1")).await;
    assert!(after.html.contains("The booking is cancelled.") && after.html.contains("moved abroad"), "{}", after.html);

    // Signing out ends the session on the server: the old cookie opens nothing.
    let csrf = field(&after.html, "csrf");
    let out = v.post("/console/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    v.cookies.insert("tahoon_console".into(), session);
    assert_eq!(v.get("/console/bookings").await.location.as_deref(), Some("/console/sign-in?ended=1"));
}

async fn sessions_end_when_keys_rotate_or_the_organization_is_disabled(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, _, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let mut v = Visitor::new(&app);
    v.sign_in("partner", &p.org.access_key).await;
    let (status, _) =
        admin(&app, reqwest::Method::POST, &format!("/api/v1/admin/organizations/{}/rotate-keys", p.org.id), None)
            .await;
    assert_eq!(status, 200);
    let ended = v.get("/console/bookings").await;
    assert_eq!(ended.location.as_deref(), Some("/console/sign-in?ended=1"), "rotated keys end the session");
    assert!(ended.set_cookies.iter().any(|c| c.starts_with("tahoon_console=;") && c.contains("Max-Age=0")));

    let q = app.partner().await;
    let mut w = Visitor::new(&app);
    w.sign_in("partner", &q.org.access_key).await;
    let (status, _) = admin(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/admin/organizations/{}", q.org.id),
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(w.get("/console/bookings").await.location.as_deref(), Some("/console/sign-in?ended=1"));
    let page = w.get("/console/sign-in?ended=1").await;
    assert!(page.html.contains("Your session has ended"));
    // A disabled organization cannot sign in again.
    let form = w.get("/console/sign-in").await;
    let token = field(&form.html, "form");
    let refused =
        w.post("/console/sign-in", &[("form", &token), ("kind", "partner"), ("secret", &q.org.access_key)]).await;
    assert_eq!(refused.status, 401);
}

async fn a_read_only_session_sees_no_change_buttons_and_cannot_post(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (_, _, viewer) = partner_with_a_booking(&app, &provider, Role::ReadOnly).await;
    let mut v = Visitor::new(&app);
    let page = v.sign_in("partner", &viewer.org.access_key).await;
    assert!(page.html.contains("Read-only access"));
    let keys = v.get("/console/keys").await;
    assert!(!keys.html.contains("rotate-submit"), "no rotate button");
    let csrf = field(&keys.html, "csrf");
    let refused = v.post("/console/keys/rotate", &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.html.contains("Your access key cannot make changes."));
    assert_eq!(app.token(&viewer.org).await["token_type"], "bearer", "its key still works: nothing rotated");
    // Operator pages are not a partner's.
    assert_eq!(v.get("/console/organizations").await.location.as_deref(), Some("/console"));
}

async fn pages_speak_arabic_right_to_left_and_escape_what_they_show(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, _, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let mut v = Visitor::new(&app);
    v.language = Some("ar-SA,en;q=0.5");
    let page = v.sign_in("partner", &p.org.access_key).await;
    assert!(page.html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{}", &page.html[..200]);
    assert!(page.html.contains("الحجوزات"));
    // The switch remembers English, and returns to the same page; elsewhere is refused.
    let switched = v.get("/console/language/en?back=/console/keys").await;
    assert_eq!(switched.location.as_deref(), Some("/console/keys"));
    assert!(v.get("/console/keys").await.html.contains("<html lang=\"en\" dir=\"ltr\">"));
    let away = v.get("/console/language/ar?back=https://evil.example/").await;
    assert_eq!(away.location.as_deref(), Some("/console"));

    // The operator's page shows an organization's name escaped (names are checked for markup
    // when set, and the template escapes whatever it shows).
    let mut o = Visitor::new(&app);
    let page = o.sign_in("operator", OPERATOR_TOKEN).await;
    let csrf = field(&page.html, "csrf");
    let refused = o
        .post("/console/organizations", &[("csrf", &csrf), ("name", "<script>x</script>"), ("kind", "standard")])
        .await;
    assert_eq!(refused.status, 400);
    let created = o
        .post(
            "/console/organizations",
            &[("csrf", &csrf), ("name", "Tom & Jerry \"Care\""), ("kind", "charity"), ("balance", "3")],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.html);
    let list = o.get("/console/organizations").await;
    assert!(list.html.contains("Tom &amp; Jerry &quot;Care&quot;"), "escaped");
    // Headers: a strict CSP without inline script or style, no caching.
    let response = app.http.get(app.url("/console/sign-in")).send().await.unwrap();
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(response.headers()["cache-control"], "no-store");
}

async fn the_overview_counts_sessions_and_the_audit_trail_lists_the_organizations_entries(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, _, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let mut v = Visitor::new(&app);
    let overview = v.sign_in("partner", &p.org.access_key).await;
    assert!(overview.html.contains("id=\"sessions-week\">1<"), "the booking 4 days ahead: {}", overview.html);
    assert!(overview.html.contains("id=\"sessions-today\">0<"));
    assert_eq!(overview.html.matches("<rect class=\"bar\"").count(), 14, "a bar a day for two weeks");
    assert!(overview.html.contains(&format!("<title>{}: 1</title>", soon())), "the session's day has one");
    let audit = v.get("/console/audit").await;
    for action in ["user.registered", "console.signed_in"] {
        assert!(audit.html.contains(action), "{action} in {}", audit.html);
    }
    // Another organization's entries are not there.
    let other = app.partner().await;
    let _ = crate::sessionbooking::user(&app, &other, "THEIRS").await;
    let audit = v.get("/console/audit").await;
    assert_eq!(audit.html.matches("user.registered").count(), 1, "only its own registration");
}

async fn sign_in_attempts_are_limited_per_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut v = Visitor::new(&app);
    let mut statuses = Vec::new();
    for _ in 0..35 {
        let form = v.get("/console/sign-in").await;
        let token = field(&form.html, "form");
        statuses.push(
            v.post("/console/sign-in", &[("form", &token), ("kind", "operator"), ("secret", "wrong")]).await.status,
        );
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 30, "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), 429);
}

tahoon_store::backend_tests!(
    sign_in_sets_a_strict_session_cookie_and_every_form_needs_its_token,
    sessions_end_when_keys_rotate_or_the_organization_is_disabled,
    a_read_only_session_sees_no_change_buttons_and_cannot_post,
    pages_speak_arabic_right_to_left_and_escape_what_they_show,
    the_overview_counts_sessions_and_the_audit_trail_lists_the_organizations_entries,
    sign_in_attempts_are_limited_per_address,
    webhook_endpoints_show_their_deliveries_and_send_tests,
    users_are_listed_by_reference_exported_and_erased_and_screening_is_summed_up,
    a_providers_week_shows_free_time_and_only_the_organizations_own_sessions,
    the_operator_changes_an_organization_and_reads_settings_and_the_system,
    bookings_are_found_by_provider_and_reference_and_show_their_audit_entries,
    the_operator_imports_providers_and_edits_availability,
    another_organizations_ids_are_not_found_in_the_console,
);

/// Webhooks in the console: the endpoint and its deliveries; a test event sent from the page is
/// delivered to the receiver; a delivered one can be delivered again.
async fn webhook_endpoints_show_their_deliveries_and_send_tests(backend: Backend) {
    let w = crate::webhooks::world(backend).await;
    let receiver = tahoon_integrations::testing::webhook_receiver::WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/hook").as_str(), &["*"]).await;
    let mut v = Visitor::new(&w.app);
    v.sign_in("partner", &w.p.org.access_key).await;
    let list = v.get("/console/webhooks").await;
    assert!(list.html.contains(&format!("data-endpoint=\"{}\"", endpoint.id)), "{}", list.html);
    let page = v.get(&format!("/console/webhooks/{}", endpoint.id)).await;
    let csrf = field(&page.html, "csrf");
    let refused = v.post(&format!("/console/webhooks/{}/test", endpoint.id), &[("csrf", "forged")]).await;
    assert_eq!(refused.status, 403);
    let sent = v.post(&format!("/console/webhooks/{}/test", endpoint.id), &[("csrf", &csrf)]).await;
    assert_eq!(sent.location.as_deref(), Some(format!("/console/webhooks/{}?done=test", endpoint.id).as_str()));
    let deliveries = w.deliveries(&endpoint.id).await;
    assert_eq!(deliveries.len(), 1);
    let delivery = deliveries[0]["deliveryId"].as_str().unwrap().to_string();
    // Pending: no redeliver button (its attempt is due anyway).
    let page = v.get(&format!("/console/webhooks/{}?done=test", endpoint.id)).await;
    assert!(page.html.contains("A test event is on its way.") && page.html.contains("webhook.test"));
    assert!(!page.html.contains(&format!("/console/webhooks/deliveries/{delivery}/redeliver")));
    // Delivered: the receiver has it, and the page offers it again.
    crate::webhooks::pass(&w.app.state).await;
    assert_eq!(receiver.requests().len(), 1);
    let page = v.get(&format!("/console/webhooks/{}", endpoint.id)).await;
    assert!(page.html.contains(&format!("/console/webhooks/deliveries/{delivery}/redeliver")), "{}", page.html);
    let again = v
        .post(
            &format!("/console/webhooks/deliveries/{delivery}/redeliver"),
            &[("csrf", &csrf), ("endpoint", &endpoint.id)],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(format!("/console/webhooks/{}?done=redeliver", endpoint.id).as_str()));
    crate::webhooks::pass(&w.app.state).await;
    assert_eq!(receiver.requests().len(), 2, "delivered again");
}

/// Users by reference id (no names), export and erasure behind a confirmation; the screening
/// summary counts bands and shows no answers.
async fn users_are_listed_by_reference_exported_and_erased_and_screening_is_summed_up(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, _, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let (status, other) = app
        .send(
            &p,
            "/api/v1/user/register",
            json!({"referenceId": "OTHER-9", "name": "Hidden Person", "dob": "1980-02-02", "genderType": 0}),
        )
        .await;
    assert_eq!(status, 200, "{other}");
    let other_id = other["data"]["userId"].as_str().unwrap().to_string();
    // One PHQ-9 submission, every answer the first option.
    let questions: serde_json::Value = app
        .http
        .get(app.url("/api/v1/user/getassessmentquestions"))
        .bearer_auth(&p.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let phq9 =
        questions["data"]["instrumentsList"].as_array().unwrap().iter().find(|i| i["instrument"] == "PHQ-9").unwrap();
    let answers: Vec<serde_json::Value> = phq9["questionsList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| json!({"questionId": q["questionId"], "catScreeningQuetionOptionId": q["optionsList"][0]["catScreeningQuetionOptionId"]}))
        .collect();
    let (status, submitted) = app
        .post_signed(
            "/api/v1/user/submituserassessmentquestions",
            &p.token,
            &p.org.shared_key,
            &json!({"userId": other_id, "answers": answers}),
        )
        .await;
    assert_eq!(status, 200, "{submitted}");

    let mut v = Visitor::new(&app);
    v.sign_in("partner", &p.org.access_key).await;
    let list = v.get("/console/users").await;
    assert!(list.html.contains("ORG-USER-1") && list.html.contains("OTHER-9"));
    assert!(
        !list.html.contains("Hidden Person") && !list.html.contains("1980-02-02"),
        "no names or birth dates in lists"
    );
    let narrowed = v.get("/console/users?reference=OTH").await;
    assert!(narrowed.html.contains("OTHER-9") && !narrowed.html.contains("ORG-USER-1"));
    let percent = v.get("/console/users?reference=%25").await;
    assert!(!percent.html.contains("OTHER-9"), "a prefix is text, not a pattern");

    let summary = v.get("/console/screening").await;
    assert!(summary.html.contains("PHQ-9") && summary.html.contains("<td>1</td>"), "{}", summary.html);

    let detail = v.get(&format!("/console/users/{other_id}")).await;
    assert!(!detail.html.contains("Hidden Person"));
    let csrf = field(&detail.html, "csrf");
    let unconfirmed = v.post(&format!("/console/users/{other_id}/export"), &[("csrf", &csrf)]).await;
    assert_eq!(unconfirmed.status, 303, "no download without the confirmation");
    let response = app
        .http
        .post(app.url(&format!("/console/users/{other_id}/export")))
        .header("cookie", format!("tahoon_console={}", v.cookies["tahoon_console"]))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let exported: serde_json::Value = response.json().await.unwrap();
    assert_eq!(exported["user"]["name"], "Hidden Person");

    let erased = v.post(&format!("/console/users/{other_id}/erase"), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(erased.location.as_deref(), Some("/console/users?erased=1"));
    let list = v.get("/console/users?erased=1").await;
    assert!(list.html.contains("The user&#39;s data is erased.") || list.html.contains("The user's data is erased."));
    assert!(!list.html.contains("OTHER-9"));
    let (status, _) = app
        .call_signed(
            reqwest::Method::GET,
            &format!("/api/v1/user/{other_id}/export"),
            &p.token,
            &p.org.shared_key,
            None,
        )
        .await;
    assert_eq!(status, 400, "erased over the API too");
}

/// The provider directory: a provider's week in a chosen zone shows free time, and the
/// organization's own session with them; another organization sees that time only as not free.
async fn a_providers_week_shows_free_time_and_only_the_organizations_own_sessions(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, booking, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let day = soon();
    let mut v = Visitor::new(&app);
    v.sign_in("partner", &p.org.access_key).await;
    let list = v.get(&format!("/console/providers?from={day}&zone=Asia/Riyadh")).await;
    assert!(list.html.contains(&format!("data-provider=\"{provider}\"")), "{}", list.html);
    let week = v.get(&format!("/console/providers/{provider}?from={day}&zone=Asia/Riyadh")).await;
    assert_eq!(week.status, 200);
    // Amal works 09:00–12:00 in Riyadh; the 09:00 session is this organization's.
    let first_day = week.html.split("class=\"day card\"").nth(1).unwrap().to_string();
    assert!(first_day.contains("10:00–11:00") && first_day.contains("11:00–12:00"), "{first_day}");
    assert!(!first_day.contains("09:00–10:00"), "taken");
    assert!(first_day.contains(&format!("/console/bookings/{booking}")) && first_day.contains("your session"));
    // In London the same sessions are three hours earlier.
    let london = v.get(&format!("/console/providers/{provider}?from={day}&zone=Europe/London")).await;
    assert!(london.html.contains("07:00–08:00"), "{}", london.html);
    // Another organization: the time is not free, and nothing says whose it is.
    let other = app.partner().await;
    let mut w = Visitor::new(&app);
    w.sign_in("partner", &other.org.access_key).await;
    let theirs = w.get(&format!("/console/providers/{provider}?from={day}&zone=Asia/Riyadh")).await;
    let first_day = theirs.html.split("class=\"day card\"").nth(1).unwrap().to_string();
    assert!(!first_day.contains("09:00–10:00") && !first_day.contains("your session"), "{first_day}");
    // A zone that is not one falls back; an id that is not one is not found.
    assert_eq!(w.get(&format!("/console/providers/{provider}?zone=Mars/Olympus")).await.status, 200);
    assert_eq!(w.get("/console/providers/cp_nope").await.status, 404);
}

/// The operator's pages: an organization's settings within their bounds, the settings with
/// secrets masked, the system page; a partner is sent to its own pages.
async fn the_operator_changes_an_organization_and_reads_settings_and_the_system(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let (status, _) = admin(
        &app,
        reqwest::Method::PUT,
        "/api/v1/admin/settings/videosdk.secret_key",
        Some(json!({"value": "vsdk-secret-0123456789-WXYZ"})),
    )
    .await;
    assert_eq!(status, 200);
    let mut o = Visitor::new(&app);
    o.sign_in("operator", OPERATOR_TOKEN).await;
    let page = o.get(&format!("/console/organizations/{}", p.org.id)).await;
    let csrf = field(&page.html, "csrf");
    let path = format!("/console/organizations/{}", p.org.id);
    let form = |balance: &'static str| {
        [
            ("balance", balance),
            ("rateLimitPerMinute", "500"),
            ("cancellationCutoffHours", "48"),
            ("compatMode", "reference"),
        ]
    };
    let mut fields: Vec<(&str, &str)> = form("7").to_vec();
    assert_eq!(o.post(&path, &fields).await.status, 403, "no CSRF token");
    fields.push(("csrf", &csrf));
    let saved = o.post(&path, &fields).await;
    assert_eq!(saved.location.as_deref(), Some(format!("{path}?saved=1").as_str()));
    let (_, list) = admin(&app, reqwest::Method::GET, "/api/v1/admin/organizations", None).await;
    let mine =
        list["data"].as_array().unwrap().iter().find(|x| x["organizationId"] == p.org.id.as_str()).unwrap().clone();
    assert_eq!(
        (&mine["balance"], &mine["rateLimitPerMinute"], &mine["cancellationCutoffHours"], &mine["compatMode"]),
        (&json!(7), &json!(500), &json!(48), &json!("reference"))
    );
    let mut bad: Vec<(&str, &str)> = form("-1").to_vec();
    bad.push(("csrf", &csrf));
    assert_eq!(o.post(&path, &bad).await.status, 400);
    let (_, list) = admin(&app, reqwest::Method::GET, "/api/v1/admin/organizations", None).await;
    let mine =
        list["data"].as_array().unwrap().iter().find(|x| x["organizationId"] == p.org.id.as_str()).unwrap().clone();
    assert_eq!(mine["balance"], 7, "nothing changed");

    let settings = o.get("/console/settings").await;
    assert!(settings.html.contains("video.provider") && settings.html.contains("videosdk.secret_key"));
    assert!(!settings.html.contains("vsdk-secret-0123456789-WXYZ") && settings.html.contains("WXYZ"), "masked");
    let system = o.get("/console/system").await;
    assert!(system.html.contains(env!("CARGO_PKG_VERSION")) && system.html.contains("id=\"database\""));
    assert!(system.html.contains("16 · <code>0016</code> console sessions"), "{}", system.html);

    let mut v = Visitor::new(&app);
    v.sign_in("partner", &p.org.access_key).await;
    for page in ["/console/settings", "/console/system", &path] {
        assert_eq!(v.get(page).await.location.as_deref(), Some("/console"), "{page}");
    }
}

/// Bookings are found by provider and by the user's reference id; a booking's page shows its
/// audit entries beside its history.
async fn bookings_are_found_by_provider_and_reference_and_show_their_audit_entries(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let (p, booking, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let mut v = Visitor::new(&app);
    v.sign_in("partner", &p.org.access_key).await;
    for (query, listed) in [
        ("reference=ORG-USER-1".to_string(), true),
        ("reference=ORG-USER".to_string(), false),
        (format!("provider={provider}"), true),
        ("provider=cp_nope".to_string(), false),
        (format!("provider={provider}&reference=ORG-USER-1&status=1"), true),
        ("status=3".to_string(), false),
    ] {
        let page = v.get(&format!("/console/bookings?{query}")).await;
        assert_eq!(page.html.contains(&booking), listed, "{query}");
    }
    let detail = v.get(&format!("/console/bookings/{booking}")).await;
    let audit = detail.html.split("id=\"booking-audit\"").nth(1).unwrap();
    assert!(audit.contains("booking.confirmed"), "{audit}");
}

/// A multipart body as a browser sends a form with a file.
fn multipart(fields: &[(&str, &str)], file: &str) -> (String, String) {
    let boundary = "----tahoon-test-boundary-7d1c";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"providers.json\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The operator imports providers from a file and follows the import's progress, and edits a
/// provider's availability, which search then follows.
async fn the_operator_imports_providers_and_edits_availability(backend: Backend) {
    let (app, amal) = setup(backend).await;
    let mut o = Visitor::new(&app);
    let page = o.sign_in("operator", OPERATOR_TOKEN).await;
    let csrf = field(&page.html, "csrf");
    let list = o.get("/console/care-providers").await;
    assert!(list.html.contains(&format!("data-provider=\"{amal}\"")));

    let file = json!({"providers": [crate::careprovider::provider("Badr", json!({})), crate::careprovider::provider("Huda", json!({}))]}).to_string();
    let post = |fields: Vec<(&'static str, String)>, file: String| {
        let cookie = format!("tahoon_console={}", o.cookies["tahoon_console"]);
        let fields: Vec<(&str, String)> = fields;
        let app = &app;
        async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (kind, body) = multipart(&borrowed, &file);
            app.http
                .post(app.url("/console/care-providers/import"))
                .header("cookie", cookie)
                .header("content-type", kind)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(post(vec![("csrf", "forged".into())], file.clone()).await.status(), 403);
    let refused = post(vec![("csrf", csrf.clone())], "{\"providers\": [{\"externalId\": 5}]}".into()).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("providers[0].externalId"));
    let started = post(vec![("csrf", csrf.clone())], file).await;
    assert_eq!(started.status(), 303);
    let progress = started.headers()["location"].to_str().unwrap().to_string();
    assert!(progress.starts_with("/console/care-providers/import/imp_"));
    let mut done = String::new();
    for _ in 0..100 {
        let page = o.get(&progress).await;
        if page.html.contains("id=\"import-done\"") {
            done = page.html;
            break;
        }
        assert!(page.html.contains("http-equiv=\"refresh\""), "a page under way refreshes itself");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done.contains("2 + 0") && done.contains("value=\"2\""), "{done}");
    assert!(!done.contains("http-equiv=\"refresh\""), "a finished import stops refreshing");
    let list = o.get("/console/care-providers").await;
    assert!(list.html.contains("Badr") && list.html.contains("Huda"));

    // Availability: Amal's hours move to the afternoon, and her schedule follows.
    let page = o.get(&format!("/console/care-providers/{amal}")).await;
    assert!(page.html.contains("weeklyAvailability"));
    let afternoon = json!({"minimumNoticeMinutes": 60, "bookingHorizonDays": 365, "bufferMinutes": 0,
        "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "13:00", "endTime": "15:00"})).collect::<Vec<_>>()});
    let saved = o
        .post(&format!("/console/care-providers/{amal}"), &[("csrf", &csrf), ("availability", &afternoon.to_string())])
        .await;
    assert_eq!(saved.status, 200, "{}", saved.html);
    let p = app.partner().await;
    let slots = slots(&app, &p, &amal, &soon()).await;
    assert_eq!(slots.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["13:00:00", "14:00:00"]);
    let broken = json!({"weeklyAvailability": [{"weekday": 9, "startTime": "13:00", "endTime": "15:00"}]});
    let refused = o
        .post(&format!("/console/care-providers/{amal}"), &[("csrf", &csrf), ("availability", &broken.to_string())])
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.html.contains("weekday"), "{}", refused.html);
}

/// Another organization's ids lead nowhere in the console: its bookings, users and webhook
/// endpoints are not found, and nothing of them is shown.
async fn another_organizations_ids_are_not_found_in_the_console(backend: Backend) {
    let w = crate::webhooks::world(backend).await;
    let user = w.register("THEIRS-1").await;
    let booked = w.book(&user, &w.free[0].0).await;
    let booking = booked["bookingId"].as_str().unwrap().to_string();
    let endpoint = w.endpoint("http://127.0.0.1:9/hook", &["*"]).await;
    let intruder = w.app.partner().await;
    let mut v = Visitor::new(&w.app);
    let page = v.sign_in("partner", &intruder.org.access_key).await;
    let csrf = field(&page.html, "csrf");
    for path in [
        format!("/console/bookings/{booking}"),
        format!("/console/users/{user}"),
        format!("/console/webhooks/{}", endpoint.id),
    ] {
        let page = v.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.html.contains("THEIRS-1") && !page.html.contains("127.0.0.1:9"), "{path}");
    }
    for (path, form) in [
        (format!("/console/bookings/{booking}/cancel"), vec![("csrf", csrf.as_str()), ("confirm", "yes")]),
        (format!("/console/users/{user}/erase"), vec![("csrf", csrf.as_str()), ("confirm", "yes")]),
        (format!("/console/webhooks/{}/test", endpoint.id), vec![("csrf", csrf.as_str())]),
    ] {
        let refused = v.post(&path, &form).await;
        assert!(refused.status >= 400, "{path}: {}", refused.status);
    }
    let (status, found) = w.get(&format!("/api/v1/sessionbooking/{booking}")).await;
    assert_eq!((status, found["data"]["statusName"].as_str()), (200, Some("Confirmed")), "untouched");
    assert_eq!(w.deliveries(&endpoint.id).await.iter().filter(|d| d["eventType"] == "webhook.test").count(), 0);
    let (status, _) = w.get(&format!("/api/v1/user/bookings?userId={user}")).await;
    assert_eq!(status, 200, "the user is not erased");
}
