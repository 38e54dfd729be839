//! The operator plane (`/api/v1/admin/…`), authenticated by the operator token.

pub mod bookings;
pub mod careproviders;
pub mod instruments;
pub mod organizations;
pub mod settings;
