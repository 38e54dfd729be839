//! The arguments of the commands that keep records safe: the audit trail and sealed settings.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Read a value (a database URL with its password, a Redis URL, an operator token) from
    /// standard input and print it sealed with the master key, `enc:v1.…`, to put in
    /// `tahoon.toml` or the environment instead of the value (docs/operations.md).
    Encrypt,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit non-zero naming the first broken entry. Prints the chain's head
    /// (last entry and its hash) to keep elsewhere: given back as `--anchor`, it also proves that
    /// nothing up to it was removed from the end.
    Verify(AuditVerifyArgs),
    /// Write entries as JSON lines (oldest first), with a progress bar.
    Export(AuditExportArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// A head printed by an earlier run, `SEQ:HASH`: that entry must still be there, unchanged.
    #[arg(long, value_name = "SEQ:HASH")]
    pub anchor: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// Entries at or after this instant (RFC 3339) or date (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Entries before this instant or date.
    #[arg(long)]
    pub to: Option<String>,
    /// Only this organization's entries (its `org_…` id).
    #[arg(long)]
    pub organization: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MigrateDataArgs {
    /// The SQLite database to copy from (sqlite://FILE).
    #[arg(long)]
    pub from: String,
    /// The PostgreSQL database to copy to (postgres://…).
    #[arg(long)]
    pub to: String,
    /// Empty a target that already holds rows first (otherwise it is refused).
    #[arg(long)]
    pub replace: bool,
}
