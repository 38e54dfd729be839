//! Extractors: how requests are parsed into domain types, with every failure in our envelope.

pub mod auth;
pub mod body;
pub mod dialect;
pub mod json;
pub mod named;
pub mod operator;
pub mod path;
pub mod query;
pub mod signed;
