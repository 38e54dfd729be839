//! `tahoon`: the service and its operator tools.

mod bench;
mod cli;
mod commands;
mod demo_data;
mod reference_files;
mod settings;

use clap::Parser;
use std::process::ExitCode;

/// A service that builds a response from many small strings spends a quarter of its time in the
/// system allocator; mimalloc halves that (docs/benchmarks.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's defaults keep what a large load freed: arenas committed whole, and freed pages
/// given back only after 10 ms. The availability index at 20,000 providers is built from half a
/// million rows read at once, so the peak memory stayed a third above what the index keeps;
/// committing arenas as they are used and giving pages back at once brings it down to about what
/// stays (docs/benchmarks.md, "Memory"). The first arena is reserved with the first allocation,
/// before `main`, so the options are set earlier still: from `.preinit_array`, which the loader
/// runs before every constructor, mimalloc's included.
#[cfg(all(feature = "mimalloc", target_os = "linux"))]
mod allocator_options {
    // `mi_option_t` values of mimalloc v2's `mimalloc.h` (the Rust bindings name neither).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

    extern "C" fn set() {
        // SAFETY: `mi_option_set` writes mimalloc's static option table; this runs before any
        // other code of the process, on its only thread.
        unsafe {
            libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 1);
        }
    }

    #[used]
    #[unsafe(link_section = ".preinit_array")]
    static SET: extern "C" fn() = set;
}

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
