//! Users: registration, screening, and personal-data rights.

pub mod assessments;
pub mod bookings;
pub mod erase;
pub mod export;
pub mod favorites;
pub mod questions;
pub mod register;
pub mod reminders;
pub mod submit;
pub mod views;
