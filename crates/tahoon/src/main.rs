//! `tahoon`: the service and its operator tools.

mod cli;
mod commands;
mod demo_data;
mod settings;

use clap::Parser;
use std::process::ExitCode;

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
