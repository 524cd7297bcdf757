//! The `fazhan` binary: parse the command line, run the command.

use mimalloc::MiMalloc;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// mimalloc returns freed memory to the operating system after `MIMALLOC_PURGE_DELAY`
/// milliseconds (1,000 by default in the version built); at 0 it does so at once, which kept
/// the peak resident memory of a read-heavy run about 6 MB lower (54 → 48 MB, `bench/run.sh`'s
/// reads and mixed load, docs/BENCHMARK.md) at no measurable cost in throughput. mimalloc reads
/// its options from the environment before `main`, so when the variable is not set the process
/// starts itself again with it (same pid, same arguments); if that fails it just goes on.
fn with_prompt_purging() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    let error = command.args(args).env("MIMALLOC_PURGE_DELAY", "0").exec();
    eprintln!("note: could not restart with MIMALLOC_PURGE_DELAY=0 ({error}); going on");
}

fn main() -> std::process::ExitCode {
    with_prompt_purging();
    run()
}

#[tokio::main]
async fn run() -> std::process::ExitCode {
    match fazhan::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
