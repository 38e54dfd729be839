//! One file per command.

mod audit;
mod bench;
mod demo;
mod import_reference;
mod instrument;
mod migrate_data;
mod org;
mod provider;
mod push;
mod secret;
mod serve;
mod settings;
mod sign;

use crate::cli::{Cli, Command, ImportCommand};
use crate::settings::Settings;
use std::process::ExitCode;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::MigrateData(args) => migrate_data::run(args).await,
        Command::Bench(command) => bench::run(&cli.global, command).await,
        command => {
            let settings = Settings::load(&cli.global)?;
            match command {
                Command::Serve(args) => serve::run(&settings, args).await,
                Command::Migrate => {
                    settings.state().await?;
                    eprintln!("migrations applied");
                    Ok(ExitCode::SUCCESS)
                }
                Command::Org(command) => org::run(&settings, command).await,
                Command::Audit(command) => audit::run(&settings, command).await,
                Command::Provider(command) => provider::run(&settings, command).await,
                Command::Import(ImportCommand::Reference(args)) => import_reference::run(&settings, args).await,
                Command::Demo(args) => demo::run(&settings, args).await,
                Command::Instrument(command) => instrument::run(&settings, command).await,
                Command::Settings(command) => self::settings::run(&settings, command).await,
                Command::Push(command) => push::run(&settings, command).await,
                Command::Secret(command) => secret::run(&settings, command),
                Command::Worker => serve::run_worker(&settings).await,
                Command::Sign(_) | Command::Bench(_) | Command::MigrateData(_) => unreachable!("handled above"),
            }
        }
    }
}
