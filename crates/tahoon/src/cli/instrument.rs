//! The arguments of `tahoon instrument`.

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum InstrumentCommand {
    /// Add an instrument from a JSON definition (see docs/screening.md).
    Add {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List instruments (built-in and added).
    List,
}
