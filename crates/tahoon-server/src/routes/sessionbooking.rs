//! Session booking: book, cancel, reschedule, read, recordings.

pub mod book;
pub mod bulk;
pub mod cancel;
pub mod get;
pub mod recording;
pub mod reschedule;
pub mod views;
