//! The files `tahoon import reference --dir DIR` reads: what a partner exports from the reference
//! system (`docs/switching.md`, "The files"). Each kind is `NAME.json` (an array of objects) or
//! `NAME.csv` (a header row, then one record per row); care providers are JSON only, since their
//! availability and rates are nested. A missing file is an empty list.

use anyhow::{Context, bail};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use tahoon_server::extract::dialect::Dialect;
use tahoon_server::services::providers::ProviderInput;

/// An organization with the credentials its partner already holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrganizationRecord {
    /// The reference's id of the organization (kept as its alias, and how the other files name it).
    pub organization_id: String,
    pub name: String,
    /// `standard` or `charity`.
    #[serde(default = "standard")]
    pub kind: String,
    /// Sessions left (charity organizations).
    #[serde(default)]
    pub balance: Option<i64>,
    /// The partner's access key (the reference's "ApplicationToken").
    pub application_token: String,
    /// The partner's shared key (signs `secureHash`).
    pub shared_api_key: String,
    /// `reference` (the default for imported organizations) or `strict`.
    #[serde(default)]
    pub compat_mode: Option<String>,
    /// The zone of requests that name none (IANA or `+03:00`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

fn standard() -> String {
    "standard".into()
}

/// A care provider in the operator's format, with the reference's id of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct ProviderRecord {
    /// The reference's (encrypted) id of the provider, as partners stored it.
    pub user_login_info_id: String,
    pub provider: ProviderInput,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for ProviderRecord {
    type Error = String;

    /// `userLoginInfoId` beside the operator's format, which is read as strictly as
    /// `tahoon provider import` reads it (an unknown field is refused, naming it).
    fn try_from(mut fields: serde_json::Map<String, serde_json::Value>) -> Result<ProviderRecord, String> {
        let user_login_info_id = match fields.remove("userLoginInfoId") {
            Some(serde_json::Value::String(id)) if !id.trim().is_empty() => id,
            _ => return Err("userLoginInfoId: is required (the reference's id of the provider)".into()),
        };
        let provider = serde_path_to_error::deserialize(serde_json::Value::Object(fields))
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
        Ok(ProviderRecord { user_login_info_id, provider })
    }
}

/// A user of an organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserRecord {
    pub organization_id: String,
    /// The reference's (encrypted) id of the user, as the partner stored it.
    pub user_login_info_id: String,
    pub reference_id: String,
    pub name: String,
    /// `YYYY-MM-DD` (a midnight time part is allowed).
    pub dob: String,
    /// 0 female, 1 male.
    pub gender_type: i64,
}

/// A booking of a session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BookingRecord {
    pub organization_id: String,
    /// The reference's (encrypted) id of the booking.
    pub booking_id: String,
    /// The user's reference id (`userLoginInfoId` of `users`).
    pub user_login_info_id: String,
    /// The provider's reference id (`userLoginInfoId` of `careproviders`) or its `externalId`.
    pub care_provider_id: String,
    /// RFC 3339 instants (`2026-12-01T07:00:00Z`).
    pub start_utc: String,
    pub end_utc: String,
    /// The reference's status code: 1 Confirmed, 3 Cancelled, 6 Pending, 8 Failed.
    pub status: i64,
    #[serde(default)]
    pub meeting_id: Option<String>,
}

/// Everything in a directory.
#[derive(Debug, Default)]
pub struct ReferenceFiles {
    pub organizations: Vec<OrganizationRecord>,
    pub providers: Vec<ProviderRecord>,
    pub users: Vec<UserRecord>,
    pub bookings: Vec<BookingRecord>,
}

impl ReferenceFiles {
    pub fn read(dir: &Path) -> anyhow::Result<ReferenceFiles> {
        if !dir.is_dir() {
            bail!("{} is not a directory", dir.display());
        }
        Ok(ReferenceFiles {
            organizations: read_kind(dir, "organizations", true)?,
            providers: read_kind(dir, "careproviders", false)?,
            users: read_kind(dir, "users", true)?,
            bookings: read_kind(dir, "bookings", true)?,
        })
    }

    pub fn len(&self) -> usize {
        self.organizations.len() + self.providers.len() + self.users.len() + self.bookings.len()
    }
}

/// `NAME.json` or `NAME.csv` (not both); errors name the file, the record and the field.
fn read_kind<T: DeserializeOwned>(dir: &Path, name: &str, csv_allowed: bool) -> anyhow::Result<Vec<T>> {
    let json = dir.join(format!("{name}.json"));
    let csv = dir.join(format!("{name}.csv"));
    match (json.exists(), csv.exists()) {
        (true, true) => bail!("both {name}.json and {name}.csv are in {}; keep one", dir.display()),
        (true, false) => {
            let text = std::fs::read_to_string(&json).with_context(|| format!("reading {}", json.display()))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).with_context(|| format!("{}: not JSON", json.display()))?;
            let serde_json::Value::Array(items) = value else {
                bail!("{}: must be a JSON array of objects", json.display());
            };
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    serde_path_to_error::deserialize(item).map_err(|e| {
                        let path = e.path().to_string();
                        anyhow::anyhow!("{name}.json record {}: {path}: {}", i + 1, e.into_inner())
                    })
                })
                .collect()
        }
        (false, true) if !csv_allowed => bail!("{name} are read from {name}.json only (their data is nested)"),
        (false, true) => {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_path(&csv)
                .with_context(|| format!("reading {}", csv.display()))?;
            let headers = reader.headers()?.clone();
            reader
                .records()
                .enumerate()
                .map(|(i, record)| {
                    let record = record.with_context(|| format!("{name}.csv row {}", i + 2))?;
                    // Empty cells are absent values, as in JSON without the field. Cells are
                    // text; the reference dialect reads numbers from text and matches headers in
                    // any case, as the reference's own exports spell them.
                    let object: serde_json::Map<String, serde_json::Value> = headers
                        .iter()
                        .zip(record.iter())
                        .filter(|(_, cell)| !cell.is_empty())
                        .map(|(header, cell)| (header.to_string(), serde_json::Value::from(cell)))
                        .collect();
                    Dialect::Reference.decode(serde_json::Value::Object(object)).map_err(|e| {
                        let field = e.field_name().unwrap_or("row").to_string();
                        anyhow::anyhow!("{name}.csv row {}: {field}: {}", i + 2, e.detail().unwrap_or("is not valid"))
                    })
                })
                .collect()
        }
        (false, false) => Ok(Vec::new()),
    }
}
