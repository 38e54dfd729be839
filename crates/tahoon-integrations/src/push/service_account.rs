//! The Google service account FCM is called as: parsed once from the JSON key file the Firebase
//! console hands out, validated, and held with its private key ready to sign (never printable).

use jsonwebtoken::EncodingKey;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde::Deserialize;
use std::fmt;
use url::{Host, Url};

/// Google's token endpoint, used when the key file names none (as golang.org/x/oauth2/google does).
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Why a service-account JSON (or an endpoint URL) was refused. Names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceAccountError {
    #[error("the service account is not valid JSON of a Google service-account key")]
    NotJson,
    #[error("the service account's \"type\" is not \"service_account\"")]
    NotServiceAccount,
    #[error("the service account's \"{0}\" is missing or empty")]
    Missing(&'static str),
    #[error("the service account's \"project_id\" is not a Google Cloud project id")]
    ProjectId,
    #[error("the service account's \"client_email\" is not an email address")]
    ClientEmail,
    #[error("the service account's \"private_key\" is not a PEM RSA private key (PKCS#8 or PKCS#1)")]
    PrivateKey,
    #[error("the service account's \"private_key\" is shorter than 2048 bits")]
    WeakKey,
    #[error("{0} must be an https URL (http only to a loopback address)")]
    Endpoint(&'static str),
}

/// The fields of the key file this client uses; the others (`client_id`, `auth_uri`, …) are ignored.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    project_id: Option<String>,
    private_key_id: Option<String>,
    private_key: Option<String>,
    client_email: Option<String>,
    token_uri: Option<String>,
}

/// A validated service account. `Debug` shows the project and email only.
#[derive(Clone)]
pub struct ServiceAccount {
    project_id: String,
    client_email: String,
    private_key_id: Option<String>,
    token_uri: Url,
    signing_key: EncodingKey,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("project_id", &self.project_id)
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri.as_str())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

fn present(value: Option<String>, field: &'static str) -> Result<String, ServiceAccountError> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ServiceAccountError::Missing(field)),
    }
}

/// A Google Cloud project id (`my-project-123`, or a legacy domain-scoped `example.com:my-project`):
/// it is put in the send URL's path, so only these characters pass.
fn valid_project_id(id: &str) -> bool {
    id.len() <= 100
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | ':'))
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= 320
        && !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && email.chars().all(|c| c.is_ascii_graphic())
}

/// `url` parsed as an endpoint Tahoon may send credentials or messages to: https, or http only to a
/// loopback address (the local fakes of the tests, a local emulator).
pub fn checked_endpoint(url: &str, what: &'static str) -> Result<Url, ServiceAccountError> {
    let parsed = Url::parse(url.trim()).map_err(|_| ServiceAccountError::Endpoint(what))?;
    let loopback = match parsed.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let allowed = match parsed.scheme() {
        "https" => parsed.host().is_some(),
        "http" => loopback,
        _ => false,
    };
    if allowed && parsed.username().is_empty() && parsed.password().is_none() {
        Ok(parsed)
    } else {
        Err(ServiceAccountError::Endpoint(what))
    }
}

/// The RSA key of `pem`: PKCS#8 (`BEGIN PRIVATE KEY`, what Google issues) or PKCS#1
/// (`BEGIN RSA PRIVATE KEY`), as golang.org/x/oauth2's `ParseKey` accepts both.
fn rsa_key(pem: &str) -> Result<RsaPrivateKey, ServiceAccountError> {
    // A key pasted through an environment variable sometimes keeps its newlines escaped.
    let pem = pem.replace("\\n", "\n");
    let key = RsaPrivateKey::from_pkcs8_pem(&pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&pem))
        .map_err(|_| ServiceAccountError::PrivateKey)?;
    if key.size() < 256 {
        return Err(ServiceAccountError::WeakKey);
    }
    Ok(key)
}

impl ServiceAccount {
    /// Parses and validates the JSON key file of a service account.
    pub fn from_json(json: &str) -> Result<ServiceAccount, ServiceAccountError> {
        let file: KeyFile = serde_json::from_str(json).map_err(|_| ServiceAccountError::NotJson)?;
        if file.kind.as_deref().is_some_and(|k| k != "service_account") {
            return Err(ServiceAccountError::NotServiceAccount);
        }
        let project_id = present(file.project_id, "project_id")?;
        if !valid_project_id(&project_id) {
            return Err(ServiceAccountError::ProjectId);
        }
        let client_email = present(file.client_email, "client_email")?;
        if !valid_email(&client_email) {
            return Err(ServiceAccountError::ClientEmail);
        }
        let key = rsa_key(&present(file.private_key, "private_key")?)?;
        let der = key.to_pkcs1_der().map_err(|_| ServiceAccountError::PrivateKey)?;
        let token_uri = match file.token_uri.as_deref().map(str::trim) {
            Some(uri) if !uri.is_empty() => checked_endpoint(uri, "the service account's \"token_uri\"")?,
            _ => Url::parse(GOOGLE_TOKEN_URI).expect("a valid constant URL"),
        };
        let private_key_id = file
            .private_key_id
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty() && id.len() <= 200 && id.chars().all(|c| c.is_ascii_graphic()));
        Ok(ServiceAccount {
            project_id,
            client_email,
            private_key_id,
            token_uri,
            signing_key: EncodingKey::from_rsa_der(der.as_bytes()),
        })
    }

    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// The key's id, sent as the assertion's `kid` header when the key file has one.
    pub fn private_key_id(&self) -> Option<&str> {
        self.private_key_id.as_deref()
    }

    pub fn token_uri(&self) -> &Url {
        &self.token_uri
    }

    pub(crate) fn signing_key(&self) -> &EncodingKey {
        &self.signing_key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        let ok = |u: &str| checked_endpoint(u, "url").is_ok();
        assert!(ok("https://oauth2.googleapis.com/token"));
        assert!(ok("http://127.0.0.1:8080/token"));
        assert!(ok("http://[::1]:9/x"));
        assert!(ok("http://localhost:1/x"));
        assert!(!ok("http://oauth2.googleapis.com/token"));
        assert!(!ok("http://10.0.0.1/token"));
        assert!(!ok("ftp://127.0.0.1/token"));
        assert!(!ok("https://user:pw@example.com/"));
        assert!(!ok("not a url"));
    }

    #[test]
    fn project_ids_and_emails() {
        assert!(valid_project_id("tahoon-prod-1"));
        assert!(valid_project_id("example.com:tahoon"));
        assert!(!valid_project_id("Tahoon/../x"));
        assert!(!valid_project_id("-x"));
        assert!(valid_email("push@tahoon-prod.iam.gserviceaccount.com"));
        assert!(!valid_email("push"));
        assert!(!valid_email("a b@example.com"));
    }

    #[test]
    fn refusals_name_the_field_not_the_value() {
        let refuse = |json: &str| ServiceAccount::from_json(json).unwrap_err();
        assert_eq!(refuse("{"), ServiceAccountError::NotJson);
        assert_eq!(refuse(r#"{"type":"authorized_user"}"#), ServiceAccountError::NotServiceAccount);
        assert_eq!(refuse(r#"{"client_email":"a@b.c"}"#), ServiceAccountError::Missing("project_id"));
        assert_eq!(
            refuse(r#"{"project_id":"p-1","client_email":"a@b.c"}"#),
            ServiceAccountError::Missing("private_key")
        );
        let secret = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n";
        let json = serde_json::json!({"project_id": "p-1", "client_email": "a@b.c", "private_key": secret});
        let err = refuse(&json.to_string());
        assert_eq!(err, ServiceAccountError::PrivateKey);
        assert!(!err.to_string().contains("c2VjcmV0"));
    }
}
