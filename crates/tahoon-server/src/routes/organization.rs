//! The calling organization's own reports.

pub mod usage;
pub mod reminders;
