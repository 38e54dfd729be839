//! Use cases. Each takes parsed domain inputs and talks to the store.

pub mod audit;
pub mod organizations;
pub mod tokens;
