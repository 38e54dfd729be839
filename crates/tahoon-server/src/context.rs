//! Per-request facts (request id, language, client address) available anywhere while the request
//! is handled, including where an error is turned into a response.

use std::net::IpAddr;
use tahoon_domain::reason::Language;

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub language: Language,
    pub source_ip: Option<IpAddr>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

impl RequestContext {
    /// Runs `fut` with `self` as the current context.
    pub async fn scope<F: Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }

    /// The current request's context (a placeholder outside a request, such as in the CLI).
    pub fn current() -> RequestContext {
        CURRENT.try_with(Clone::clone).unwrap_or_else(|_| RequestContext {
            request_id: String::new(),
            language: Language::English,
            source_ip: None,
        })
    }
}
