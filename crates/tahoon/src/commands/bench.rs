use crate::bench::measure::RunOptions;
use crate::bench::report;
use crate::bench::run;
use crate::bench::seed;
use crate::cli::{BenchCommand, BenchRunArgs, BenchSeedArgs};
use crate::settings::Settings;
use std::process::ExitCode;
use tahoon_store::Backend;

pub async fn run(global: &crate::cli::GlobalArgs, command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Seed(args) => seed_command(&Settings::load(global)?, args).await,
        BenchCommand::Run(args) => run_command(args).await,
    }
}

async fn seed_command(settings: &Settings, args: BenchSeedArgs) -> anyhow::Result<ExitCode> {
    let state = settings.state().await?;
    let credentials = seed::seed(&state, args.providers, args.seed).await?;
    seed::write_credentials(&args.credentials, &credentials)?;
    eprintln!(
        "seeded {} providers, {} organizations, {} users, {} bookings; credentials in {}",
        credentials.providers.len(),
        credentials.organizations.len(),
        credentials.users.len(),
        credentials.bookings,
        args.credentials.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn run_command(args: BenchRunArgs) -> anyhow::Result<ExitCode> {
    let backends = args
        .backends
        .iter()
        .map(|b| match b.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" => Ok(Backend::Postgres),
            other => anyhow::bail!("--backends: {other:?} is not sqlite or postgres"),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = RunOptions {
        providers: args.providers,
        backends,
        postgres_url: args.postgres_url,
        seconds: args.seconds,
        booking_providers: args.booking_providers,
        clients: args.clients,
        out: args.out.clone(),
        seed: args.seed,
        reuse: args.reuse,
    };
    let results = run::run(&options).await?;
    run::write_results(&args.out, &results)?;
    println!("{}", report::targets(&results));
    if let Some(doc) = &args.doc {
        let charts = doc.with_extension("");
        report::charts(&results, &charts)?;
        report::update_doc(doc, &report::generated(&results))?;
        eprintln!("wrote {} and the charts in {}", doc.display(), charts.display());
    }
    Ok(ExitCode::SUCCESS)
}
