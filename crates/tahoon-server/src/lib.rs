//! Tahoon's HTTP API: routes (one file per resource action), extractors, middleware, services
//! (use cases) and the OpenAPI document.
//!
//! Data flows one way: route (parse into domain types) → service → store.

pub mod clock;
pub mod config;
pub mod console;
pub mod context;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;

pub use axum::http::HeaderValue;
pub use clock::Clock;
pub use config::{Secrets, ServerConfig};
pub use startup::{Application, build_router, build_router_with};
pub use state::AppState;
