//! The console in a real browser (issue 15): Debian's Chromium driven headless through
//! chromedriver (WebDriver, fantoccini). A partner signs in, finds a booking made over the API,
//! reads its history, cancels it from the console, switches to Arabic and rotates its keys (the
//! old key then fails over the API); the operator creates an organization whose key then works
//! over the API. Every page is checked with axe-core (no serious or critical violation) and
//! photographed into `target/console-screenshots/`.
//!
//! `.ci/run` installs Chromium, chromedriver and axe-core and sets `TAHOON_REQUIRE_BROWSER=1`;
//! elsewhere, without them, the test says it is skipped.

use crate::careprovider::soon;
use crate::console::partner_with_a_booking;
use crate::helpers::*;
use crate::sessionbooking::setup;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use tahoon_domain::organization::Role;
use tahoon_store::Backend;

fn workspace_target() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

fn required() -> bool {
    std::env::var("TAHOON_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// chromedriver with headless Chromium, and axe-core's source; `None` (skipped) when absent and
/// not required.
struct Browser {
    client: Client,
    driver: Child,
    axe: String,
    shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn browser(label: &str) -> Option<Browser> {
    let driver = std::env::var("TAHOON_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("TAHOON_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let axe_path = std::env::var("TAHOON_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_target().join("axe/node_modules/axe-core/axe.min.js"));
    let present = [&PathBuf::from(&driver), &PathBuf::from(&chromium), &axe_path].iter().all(|p| p.exists());
    if !present {
        assert!(!required(), "the browser test needs {driver}, {chromium} and {}", axe_path.display());
        eprintln!("skipped: chromedriver, chromium or axe-core is missing (.ci/run installs them)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,900", "--lang=en-US", "--no-first-run", "--disable-background-networking",
        ]}),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut client = None;
    for _ in 0..100 {
        let builder =
            ClientBuilder::rustls().expect("a TLS configuration").capabilities(capabilities.clone()).to_owned();
        match builder.connect(&url).await {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let shots = workspace_target().join("console-screenshots").join(label);
    std::fs::create_dir_all(&shots).unwrap();
    Some(Browser {
        client: client.expect("chromedriver answers"),
        driver: child,
        axe: std::fs::read_to_string(axe_path).unwrap(),
        shots,
    })
}

impl Browser {
    /// Runs axe-core on the page: no serious or critical violation; then saves a screenshot.
    async fn check(&self, name: &str) {
        self.client.execute(&self.axe, vec![]).await.expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations\
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')\
                   .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        assert_eq!(found, json!([]), "axe-core on {name}");
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.client.wait().for_element(Locator::Css(css)).await.unwrap().text().await.unwrap()
    }

    /// Waits (up to 10 s) until the element's text satisfies `wanted` (a page after a click may
    /// still be the previous one); the text seen last.
    async fn text_when(&self, css: &str, wanted: impl Fn(&str) -> bool) -> String {
        let mut seen = String::new();
        for _ in 0..100 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if wanted(&text) {
                    return text;
                }
                seen = text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        seen
    }

    async fn click(&self, css: &str) {
        self.client.wait().for_element(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    async fn type_into(&self, css: &str, text: &str) {
        self.client.wait().for_element(Locator::Css(css)).await.unwrap().send_keys(text).await.unwrap();
    }

    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.client.wait().for_element(Locator::Css(css)).await.unwrap().attr(name).await.unwrap()
    }
}

async fn a_partner_and_the_operator_use_the_console_in_a_browser(backend: Backend) {
    let label = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let Some(b) = browser(label).await else { return };
    let (app, provider) = setup(backend).await;
    let (p, booking, _) = partner_with_a_booking(&app, &provider, Role::FullAccess).await;
    let _ = soon();

    // Sign in with the access key; the booking made over the API is listed.
    b.client.goto(&app.url("/console")).await.unwrap();
    b.check("sign-in").await;
    b.type_into("#access-key", &p.org.access_key).await;
    b.click("#partner-sign-in").await;
    assert_eq!(b.text_when("h1", |t| t == "Overview").await, "Overview");
    b.check("overview").await;
    b.click("nav a[href='/console/bookings']").await;
    assert_eq!(b.text_when("h1", |t| t == "Bookings").await, "Bookings");
    b.check("bookings").await;
    b.click(&format!("a[data-booking='{booking}']")).await;

    // Its history, then cancelling it (the button waits for the confirmation box).
    assert_eq!(b.text_when("#booking-id", |t| !t.is_empty()).await, booking);
    assert!(b.text("#history").await.contains("Confirmed"));
    b.check("booking").await;
    assert_eq!(b.attribute("#cancel-submit", "disabled").await.as_deref(), Some("true"), "the script holds the button");
    b.type_into("#cancel-reason", "the client moved").await;
    b.click("#cancel-confirm").await;
    b.click("#cancel-submit").await;
    assert_eq!(b.text_when("#booking-status", |t| t == "Cancelled").await, "Cancelled");
    assert!(b.text("#history").await.contains("the client moved"));
    let (status, found) = app
        .call_signed(
            reqwest::Method::GET,
            &format!("/api/v1/sessionbooking/{booking}"),
            &p.token,
            &p.org.shared_key,
            None,
        )
        .await;
    assert_eq!((status, found["data"]["status"].as_i64()), (200, Some(3)), "cancelled over the API too: {found}");

    // Arabic, right to left.
    b.click("a[hreflang='ar']").await;
    assert_eq!(b.text_when("#booking-status", |t| t == "ملغى").await, "ملغى");
    assert_eq!(b.attribute("html", "dir").await.as_deref(), Some("rtl"));
    assert_eq!(b.attribute("html", "lang").await.as_deref(), Some("ar"));
    b.check("booking-ar").await;
    b.click("a[hreflang='en']").await;
    b.text_when("#booking-status", |t| t == "Cancelled").await;

    // The provider directory and a provider's week.
    b.client.goto(&app.url("/console/providers")).await.unwrap();
    b.check("providers").await;
    b.click("#providers a").await;
    assert!(!b.text_when("#week", |t| !t.is_empty()).await.is_empty());
    b.check("provider-week").await;

    // Users by reference id, one user's page, the screening summary.
    b.client.goto(&app.url("/console/users")).await.unwrap();
    assert!(b.text_when("#users", |t| t.contains("ORG-USER-1")).await.contains("ORG-USER-1"));
    b.check("users").await;
    b.click("#users a").await;
    assert_eq!(b.attribute("#erase-submit", "disabled").await.as_deref(), Some("true"));
    b.check("user").await;
    b.client.goto(&app.url("/console/screening")).await.unwrap();
    b.check("screening").await;

    // Webhooks (none yet) and the audit trail.
    b.client.goto(&app.url("/console/webhooks")).await.unwrap();
    assert_eq!(b.text_when("h1", |t| t == "Webhooks").await, "Webhooks");
    b.check("webhooks").await;
    b.client.goto(&app.url("/console/audit")).await.unwrap();
    assert!(b.text_when("#audit", |t| t.contains("booking.")).await.contains("booking."));
    b.check("audit").await;

    // Rotating the keys: shown once; the old key no longer gets a token, the new one does.
    b.client.goto(&app.url("/console/keys")).await.unwrap();
    b.check("keys").await;
    b.click("#rotate-confirm").await;
    b.click("#rotate-submit").await;
    let new_key = b.text_when("#new-access-key", |t| t.starts_with("thn_ak_")).await;
    b.check("new-keys").await;
    let old = app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &p.org.access_key)]).await;
    assert_eq!((old.0, old.1["error"].as_str()), (400, Some("invalid_grant")), "the old key fails: {}", old.1);
    let new = app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &new_key)]).await;
    assert_eq!(new.0, 200, "the new key works: {}", new.1);
    // The rotation ended this session.
    b.client.goto(&app.url("/console/bookings")).await.unwrap();
    let ended = b.text_when(".signin", |t| t.contains("Your session has ended")).await;
    assert!(ended.contains("Your session has ended"), "{ended}");

    // The operator creates an organization whose key works over the API.
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&app.url("/console/sign-in")).await.unwrap();
    b.type_into("#operator-token", OPERATOR_TOKEN).await;
    b.click("#operator-sign-in").await;
    assert_eq!(b.text_when("h1", |t| t == "Organizations").await, "Organizations");
    b.check("organizations").await;
    b.type_into("#org-name", "Clinic One").await;
    b.click("#create-organization").await;
    let created_key = b.text_when("#new-access-key", |t| t.starts_with("thn_ak_")).await;
    b.check("organization-created").await;
    b.client.goto(&app.url("/console/care-providers")).await.unwrap();
    b.check("care-providers").await;
    b.click("#care-providers a").await;
    assert!(b.text_when("#availability", |t| t.contains("weeklyAvailability")).await.contains("weeklyAvailability"));
    b.check("availability").await;
    for page in ["/console/settings", "/console/system"] {
        b.client.goto(&app.url(page)).await.unwrap();
        b.check(page.trim_start_matches("/console/")).await;
    }
    let token = app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &created_key)]).await;
    assert_eq!(token.0, 200, "{}", token.1);
    let listed: Value = token.1;
    assert_eq!(listed["token_type"], "bearer");
    b.client.clone().close().await.unwrap();
}

tahoon_store::backend_tests!(a_partner_and_the_operator_use_the_console_in_a_browser);
