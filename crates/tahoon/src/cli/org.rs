//! `tahoon org`'s arguments.

use clap::{Args, Subcommand};
use tahoon_domain::organization::{ActiveBookingCap, CancellationCutoff, RateLimit, SessionBalance};

/// `--max-active-bookings-per-user`: a cap, or `unlimited` to remove it.
#[derive(Debug, Clone, Copy)]
pub struct BookingCapSetting(pub Option<ActiveBookingCap>);

impl std::str::FromStr for BookingCapSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().eq_ignore_ascii_case("unlimited") {
            return Ok(BookingCapSetting(None));
        }
        s.parse::<ActiveBookingCap>().map(|cap| BookingCapSetting(Some(cap))).map_err(|e| format!("{e}, or unlimited"))
    }
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization and print its credentials (shown this once only).
    Create(OrgCreateArgs),
    /// List organizations (no secrets).
    List(JsonFlag),
    /// Issue a new access key and shared key; every older key and token stops working.
    RotateKeys(OrgIdArgs),
    /// Disable an organization: its tokens and keys are refused until enabled again.
    Disable(OrgIdArgs),
    /// Enable a disabled organization.
    Enable(OrgIdArgs),
    /// Change an organization's settings.
    Set(OrgSetArgs),
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OrgCreateArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long, default_value = "standard")]
    pub kind: tahoon_domain::organization::OrganizationKind,
    /// Session balance (charity organizations), 0–1,000,000,000.
    #[arg(long, default_value = "0")]
    pub balance: SessionBalance,
    /// Role of the access key.
    #[arg(long, default_value = "FullAccess")]
    pub role: tahoon_domain::organization::Role,
    /// Requests per minute, 1–1,000,000 (default from configuration, 100).
    #[arg(long)]
    pub rate_limit: Option<RateLimit>,
    /// Accept only the X-Tahoon-Signature header form of request signing.
    #[arg(long)]
    pub require_signature_header: bool,
    /// The most upcoming sessions one user may hold, 1–1,000 (default: no cap).
    #[arg(long)]
    pub max_active_bookings_per_user: Option<ActiveBookingCap>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OrgIdArgs {
    /// The organization's id (org_…).
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OrgSetArgs {
    /// The organization's id (org_…).
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    /// Requests per minute, 1–1,000,000.
    #[arg(long)]
    pub rate_limit: Option<RateLimit>,
    /// Session balance, 0–1,000,000,000.
    #[arg(long)]
    pub balance: Option<SessionBalance>,
    #[arg(long)]
    pub require_signature_header: Option<bool>,
    /// Hours before a session after which cancelling no longer restores a charity's session (0–168).
    #[arg(long)]
    pub cancellation_cutoff_hours: Option<CancellationCutoff>,
    /// The most upcoming sessions one user may hold (1–1,000), or `unlimited`.
    #[arg(long)]
    pub max_active_bookings_per_user: Option<BookingCapSetting>,
    /// `reference` reads the organization's requests as the reference system did
    /// (docs/switching.md); `strict` is the default.
    #[arg(long, value_name = "strict|reference")]
    pub compat: Option<tahoon_domain::organization::CompatMode>,
    /// The zone of requests that name none (an IANA name or an offset such as +03:00), or `none`.
    #[arg(long, value_name = "ZONE|none")]
    pub time_zone: Option<ZoneArg>,
    #[arg(long)]
    pub json: bool,
}

/// `--time-zone`: a zone, or `none` to remove it.
#[derive(Debug, Clone)]
pub struct ZoneArg(pub Option<tahoon_domain::organization::ZoneSetting>);

impl std::str::FromStr for ZoneArg {
    type Err = String;
    fn from_str(s: &str) -> Result<ZoneArg, String> {
        if s.trim().eq_ignore_ascii_case("none") {
            return Ok(ZoneArg(None));
        }
        s.parse().map(|z| ZoneArg(Some(z))).map_err(|_| {
            "must be an IANA time zone name (such as Asia/Riyadh), an offset such as +03:00, or none".to_string()
        })
    }
}
