//! The FCM client against local fakes of Google's token endpoint and FCM's send endpoint.

mod account;
mod fakes;
mod sending;
mod tokens;
