//! Reading a text as a typed value, and the checks of URLs and of the FCM service account.
//! No message repeats the text it refuses: it may be a secret.

use super::{MAX_JSON_BYTES, MAX_TEXT_CHARS, SettingType, SettingValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// `text` (already trimmed) as a value of `kind`, or what it must be.
pub(super) fn parse(kind: SettingType, text: &str) -> Result<SettingValue, String> {
    if text.is_empty() {
        return Err(format!("must be {} (reset the setting to go back to its default)", kind.rule()));
    }
    let must = || format!("must be {}", kind.rule());
    match kind {
        SettingType::Text => {
            if text.chars().count() > MAX_TEXT_CHARS || text.chars().any(char::is_control) {
                return Err(must());
            }
            Ok(SettingValue::Text(text.to_string()))
        }
        SettingType::Url => url(text, &["http", "https"]).map(SettingValue::Text),
        SettingType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(SettingValue::Bool(true)),
            "false" => Ok(SettingValue::Bool(false)),
            _ => Err(must()),
        },
        SettingType::Integer { min, max }
        | SettingType::Seconds { min, max }
        | SettingType::Milliseconds { min, max } => {
            let number: i64 = text.parse().map_err(|_| must())?;
            if (min..=max).contains(&number) { Ok(SettingValue::Integer(number)) } else { Err(must()) }
        }
        SettingType::Choice(words) => words
            .iter()
            .find(|word| word.eq_ignore_ascii_case(text))
            .map(|word| SettingValue::Text(word.to_string()))
            .ok_or_else(must),
        SettingType::Json { what, check } => {
            if text.len() > MAX_JSON_BYTES {
                return Err(format!("must be {what} of at most {MAX_JSON_BYTES} bytes"));
            }
            // serde_json's message gives the line and column only, never the text.
            let document: Value = serde_json::from_str(text).map_err(|e| format!("must be {what}: {e}"))?;
            check(&document).map_err(|why| format!("must be {what}: {why}"))?;
            Ok(SettingValue::Json(document))
        }
    }
}

/// An absolute URL of one of `schemes` with a host, without user information, query or
/// fragment: normalized (lowercase scheme and host, escaped path) and without a trailing `/`.
pub(super) fn url(text: &str, schemes: &[&str]) -> Result<String, String> {
    let kinds = schemes.join(" or ");
    let parsed = url::Url::parse(text).map_err(|_| format!("must be an absolute {kinds} URL"))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(format!("must be an absolute {kinds} URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("must be an absolute {kinds} URL with a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not carry a user name or password (secrets go in their own settings)".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

/// An FCM service-account key (the JSON file Google issues): an object whose `project_id`,
/// `client_email` (an address), `private_key` (a PEM private key) and `token_uri` (an https URL,
/// or http to a loopback address) are strings; `type`, when present, is `service_account`. Other
/// fields are allowed.
pub fn service_account(document: &Value) -> Result<(), String> {
    let Value::Object(fields) = document else {
        return Err("a JSON object".into());
    };
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| format!("{name} must be a non-empty string"))
    };
    if let Some(kind) = fields.get("type")
        && kind.as_str() != Some("service_account")
    {
        return Err("type must be service_account".into());
    }
    text("project_id")?;
    let email = text("client_email")?;
    if !email.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')) {
        return Err("client_email must be an email address".into());
    }
    if !is_pem_private_key(text("private_key")?) {
        return Err("private_key must be a PEM private key (-----BEGIN PRIVATE KEY----- …)".into());
    }
    token_uri(text("token_uri")?).map_err(|why| format!("token_uri {why}"))?;
    Ok(())
}

/// The token endpoint: `https`, or plain `http` to a loopback address only (a local emulator, a
/// test's fake), as the push client itself accepts it.
fn token_uri(text: &str) -> Result<String, String> {
    let checked = url(text, &["http", "https"])?;
    let loopback = match url::Url::parse(&checked).ok().and_then(|u| u.host().map(|h| h.to_owned())) {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if checked.starts_with("https:") || loopback {
        Ok(checked)
    } else {
        Err("must be an absolute https URL (http only to a loopback address)".into())
    }
}

/// A PEM block of a private key (PKCS #8 or PKCS #1) whose body is base64. The key itself is
/// checked when it signs (the push client parses it).
fn is_pem_private_key(text: &str) -> bool {
    ["PRIVATE KEY", "RSA PRIVATE KEY"].iter().any(|label| {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        text.trim().strip_prefix(&begin).and_then(|rest| rest.strip_suffix(&end)).is_some_and(|body| {
            let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            !body.is_empty() && STANDARD.decode(body).is_ok()
        })
    })
}
