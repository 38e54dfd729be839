//! The HTTP sender of signed webhooks, with its defence against server-side request forgery at
//! send time.
//!
//! A webhook's URL is a tenant's: it may name, or come to resolve to, an address inside our own
//! network (loopback, the cloud's metadata service, a private range). So every send resolves the
//! host with a [`NameResolver`], runs the domain's [`AddressCheck`] on *every* address, and
//! connects only to addresses that were checked; a single refused address refuses the target.
//! What the body and headers are (signing, ids, timestamps) is the caller's; so are retries and
//! the policy on schemes (plain `http` only exists in development).
//!
//! - [`WebhookSender::send`] posts one webhook and says what became of it ([`WebhookOutcome`]).
//! - [`WebhookSender::check_target`] resolves and checks a URL's host only, to refuse a target
//!   when it is registered.
//! - [`SystemResolver`] asks the system's resolver; [`StaticResolver`] answers from a fixed map
//!   (tests, local development).

mod excerpt;
mod guard;
mod resolve;
mod send;

pub use excerpt::MAX_EXCERPT_BYTES;
pub use resolve::{BoxFuture, NameResolver, StaticResolver, SystemResolver};
pub use send::WebhookSender;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Decides whether an address may be contacted (the caller plugs in the domain's SSRF rules):
/// `Err` says why not. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is checked both as it is
/// and as the IPv4 address it stands for.
pub type AddressCheck = Arc<dyn Fn(IpAddr) -> Result<(), String> + Send + Sync>;

/// The default bound on one send: resolving, connecting, sending and reading the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How the sender resolves, checks and waits.
#[derive(Clone)]
pub struct SenderConfig {
    /// The whole of one send, the DNS lookup and the read of the answer included.
    pub timeout: Duration,
    pub resolver: Arc<dyn NameResolver>,
    pub check: AddressCheck,
    pub user_agent: String,
}

impl SenderConfig {
    /// The defaults around `check`: the system's resolver, [`DEFAULT_TIMEOUT`], and
    /// `tahoon/<version>` as the user agent. There is no default check: allowing every address
    /// must be said out loud.
    pub fn new(check: AddressCheck) -> SenderConfig {
        SenderConfig {
            timeout: DEFAULT_TIMEOUT,
            resolver: Arc::new(SystemResolver),
            check,
            user_agent: crate::http::USER_AGENT.to_owned(),
        }
    }
}

impl fmt::Debug for SenderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SenderConfig")
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// Why a sender could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookSenderError {
    #[error("the webhook timeout must be longer than zero")]
    Timeout,
    #[error("the webhook HTTP client cannot be built: {0}")]
    Client(String),
}

/// One webhook to post: the caller has signed `body` and put the signature in `headers`.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingWebhook<'a> {
    pub url: &'a url::Url,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// What became of one send, and how long it took (resolving included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    pub outcome: WebhookOutcome,
    pub elapsed: Duration,
}

/// The fate of one send. `excerpt` is at most [`MAX_EXCERPT_BYTES`] of the answer's body, as
/// text, control characters other than newline and tab replaced by spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// 2xx within the timeout.
    Delivered { status: u16, excerpt: String },
    /// Any other status, redirects included (3xx is never followed): retried by the caller.
    /// 410 Gone is [`WebhookOutcome::Gone`].
    Refused { status: u16, excerpt: String },
    /// 410: the receiver says this endpoint is gone for good.
    Gone { excerpt: String },
    /// The target resolved to (or is) an address the check refuses: nothing was sent.
    Blocked(TargetRefused),
    /// DNS failure, connection refused/reset, TLS error, timeout: `error` is short, no secrets.
    Unreachable { error: String },
}

impl WebhookOutcome {
    /// One word for logs and metrics: `delivered`, `refused`, `gone`, `blocked`, `unreachable`.
    pub fn kind(&self) -> &'static str {
        match self {
            WebhookOutcome::Delivered { .. } => "delivered",
            WebhookOutcome::Refused { .. } => "refused",
            WebhookOutcome::Gone { .. } => "gone",
            WebhookOutcome::Blocked(_) => "blocked",
            WebhookOutcome::Unreachable { .. } => "unreachable",
        }
    }

    /// The answer's status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            WebhookOutcome::Delivered { status, .. } | WebhookOutcome::Refused { status, .. } => Some(*status),
            WebhookOutcome::Gone { .. } => Some(410),
            WebhookOutcome::Blocked(_) | WebhookOutcome::Unreachable { .. } => None,
        }
    }
}

/// Why a target may not be contacted: an address the check refused, or (with no address) why
/// the host has no address to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRefused {
    pub address: Option<IpAddr>,
    pub reason: String,
}

impl fmt::Display for TargetRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.address {
            Some(address) => write!(f, "{address} is refused: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for TargetRefused {}
