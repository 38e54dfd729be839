//! `tahoon secret encrypt`: a configuration value sealed with the master key.

use crate::cli::SecretCommand;
use crate::settings::Settings;
use anyhow::{Context, bail};
use std::io::Read;
use std::process::ExitCode;

pub fn run(settings: &Settings, command: SecretCommand) -> anyhow::Result<ExitCode> {
    match command {
        SecretCommand::Encrypt => {
            // From standard input, never the command line (shell history, process lists).
            let mut value = String::new();
            std::io::stdin().read_to_string(&mut value).context("reading the value from standard input")?;
            let value = value.strip_suffix('\n').map(|v| v.strip_suffix('\r').unwrap_or(v)).unwrap_or(&value);
            if value.is_empty() {
                bail!("give the value to seal on standard input");
            }
            let master_key = settings.secrets()?.master_key;
            println!("{}", master_key.seal_setting(value));
            Ok(ExitCode::SUCCESS)
        }
    }
}
