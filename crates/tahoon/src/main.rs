//! `tahoon`: the service and its operator tools.

mod bench;
mod cli;
mod commands;
mod demo_data;
mod settings;

use clap::Parser;
use std::process::ExitCode;

/// A service that builds a response from many small strings spends a quarter of its time in the
/// system allocator; mimalloc halves that (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    settings::init_logging(&cli.global);
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
