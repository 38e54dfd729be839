//! Session booking: book, cancel, reschedule, read.

pub mod book;
pub mod bulk;
pub mod cancel;
pub mod get;
pub mod reschedule;
pub mod views;
