//! The calling organization's own reports.

pub mod reminders;
pub mod usage;
