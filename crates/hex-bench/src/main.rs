//! `hex-bench`: measures how hex-mcp feels, side by side with the Python hex-mcp 0.1.10, and
//! writes `bench/RESULTS.md`. Run it through `bash bench/run.sh`, which builds what it needs and
//! sets up the peer; never part of `cargo test`.

mod error;
mod facts;
mod http_mcp;
mod http_server;
mod measure;
mod proc;
mod quiet;
mod readme;
mod report;
mod sandbox;
mod session;
mod stats;

use std::{
    path::PathBuf,
    process::ExitCode,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use clap::Parser;

use crate::{
    error::BenchError,
    measure::{Bench, Outcome, progress},
    report::{Check, Report, Section},
};

#[derive(Debug, Parser)]
#[command(
    name = "hex-bench",
    about = "Benchmarks hex-mcp beside the Python hex-mcp 0.1.10 and writes bench/RESULTS.md"
)]
struct Args {
    /// Our release binary to measure. By default, the binary of the clean release build that
    /// the harness makes first (or, without the binary measurement, `target/release/hex-mcp`,
    /// built if needed).
    #[arg(long)]
    hex_mcp: Option<PathBuf>,
    /// The Python peer's `hex-mcp` script (in its venv).
    #[arg(long)]
    peer: Option<PathBuf>,
    /// Why the peer could not be set up (written in the results).
    #[arg(long)]
    peer_problem: Option<String>,
    /// The results file. By default `bench/RESULTS.md` for a full run, and
    /// `<work>/RESULTS-partial.md` with `--quick` or `--only`, so that trying the harness out
    /// never overwrites the committed results.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A README whose `<!-- bench:begin -->…<!-- bench:end -->` block gets the headline figures
    /// (full runs only).
    #[arg(long)]
    readme: Option<PathBuf>,
    /// Scratch space (clean build, logs).
    #[arg(long, default_value = "bench/.work")]
    work: PathBuf,
    /// Only these measurements (startup, context, throughput, memory, scale, bulk, binary, http, soak).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Fewer runs, to try the harness out (never for committed results).
    #[arg(long)]
    quick: bool,
    /// When the whole harness started (Unix seconds), to report its total time.
    #[arg(long)]
    started_at: Option<f64>,
    /// The command that ran the harness, as the results should name it.
    #[arg(long, default_value = "bash bench/run.sh")]
    command: String,
}

type Measure = fn(&Bench) -> Result<Outcome, BenchError>;

/// Every measurement in the order of the results, with the targets it checks. The clean build
/// (reported by "binary") runs before all of them: it makes the binary they measure.
const MEASUREMENTS: &[(&str, &str, Measure, &[&str])] = &[
    (
        "startup",
        "1. Start-up",
        measure::startup::measure,
        measure::startup::TARGETS,
    ),
    (
        "context",
        "2. Context cost (`tools/list`)",
        measure::context::measure,
        measure::context::TARGETS,
    ),
    (
        "throughput",
        "3. Throughput and latency",
        measure::throughput::measure,
        measure::throughput::TARGETS,
    ),
    (
        "memory",
        "4. Memory under work",
        measure::memory::measure,
        measure::memory::TARGETS,
    ),
    (
        "scale",
        "5. Scale",
        measure::scale::measure,
        measure::scale::TARGETS,
    ),
    (
        "bulk",
        "6. Bulk sharing change",
        measure::bulk::measure,
        measure::bulk::TARGETS,
    ),
    ("binary", "7. Binary", measure::binary::measure, &[]),
    (
        "http",
        "8. HTTP load",
        measure::http_load::measure,
        measure::http_load::TARGETS,
    ),
    (
        "soak",
        "9. Soak",
        measure::soak::measure,
        measure::soak::TARGETS,
    ),
    (
        "workflows",
        "10. Workflows at Hex's limits",
        measure::workflows::measure,
        measure::workflows::TARGETS,
    ),
];

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hex-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), BenchError> {
    let unknown: Vec<&String> = args
        .only
        .iter()
        .filter(|name| !MEASUREMENTS.iter().any(|(known, ..)| known == name))
        .collect();
    if !unknown.is_empty() {
        return Err(BenchError::new(format!(
            "unknown measurement(s) {unknown:?}; known: startup, context, throughput, memory, \
             scale, bulk, binary, http, soak"
        )));
    }
    std::fs::create_dir_all(&args.work).map_err(|error| {
        BenchError::new(format!("cannot create {}: {error}", args.work.display()))
    })?;
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|only| only == name);
    let mut report = Report {
        command: args.command.clone(),
        ..Report::default()
    };
    let load_before = proc::load_average();
    let clean_build = wanted("binary").then(|| {
        let quiet = quiet::wait();
        let machine = proc::CpuTotals::now();
        let started = std::time::Instant::now();
        let build = measure::binary::clean_build(&args.work);
        report.timings.push(report::Timing {
            name: "binary (clean release build)".into(),
            busy_before: quiet.busy,
            waited: quiet.waited,
            took: started.elapsed(),
            steal: machine.map_or(0.0, proc::CpuTotals::steal_share_since),
        });
        build.map_err(|error| error.to_string())
    });
    let hex_mcp = match (&args.hex_mcp, &clean_build) {
        (Some(path), _) => path.clone(),
        (None, Some(Ok(build))) => build.binary.clone(),
        (None, _) => measure::binary::repository_build(&args.work)?,
    };
    if !hex_mcp.is_file() {
        return Err(BenchError::new(format!(
            "{} does not exist: build it with `cargo build --release -p hex-mcp`",
            hex_mcp.display()
        )));
    }
    let installed = measure::install(&hex_mcp, &args.work)?;
    progress(format!(
        "measuring {} (installed from {})",
        installed.display(),
        hex_mcp.display()
    ));
    let bench = Bench {
        hex_mcp: installed,
        built: hex_mcp,
        clean_build,
        peer: args.peer.clone(),
        peer_problem: args.peer_problem.clone(),
        quick: args.quick,
    };
    for (name, title, measure, targets) in MEASUREMENTS {
        if !wanted(name) {
            continue;
        }
        // The binary measurement only reports the build made above: nothing to wait for.
        let quiet = (*name != "binary").then(quiet::wait);
        let machine = proc::CpuTotals::now();
        let started = std::time::Instant::now();
        let result = measure(&bench);
        if let Some(quiet) = quiet {
            report.timings.push(report::Timing {
                name: (*name).to_string(),
                busy_before: quiet.busy,
                waited: quiet.waited,
                took: started.elapsed(),
                steal: machine.map_or(0.0, proc::CpuTotals::steal_share_since),
            });
        }
        match result {
            Ok(outcome) => {
                report.checks.extend(outcome.checks);
                report.headlines.extend(outcome.headlines);
                report.sections.push(outcome.section);
            }
            Err(error) => {
                progress(format!("{name} failed: {error}"));
                report
                    .sections
                    .push(Section::failed(title, &error.to_string()));
                report
                    .checks
                    .extend(targets.iter().map(|target| Check::unmeasured(target)));
            }
        }
    }
    let total = args.started_at.map(elapsed_since);
    report.facts = facts::collect(&bench, args.quick, load_before, total);
    let text = report.render();
    let full = !args.quick && args.only.is_empty();
    let out = match &args.out {
        Some(out) => out.clone(),
        None if full => PathBuf::from("bench/RESULTS.md"),
        None => args.work.join("RESULTS-partial.md"),
    };
    std::fs::write(&out, &text)
        .map_err(|error| BenchError::new(format!("cannot write {}: {error}", out.display())))?;
    progress(format!("wrote {}", out.display()));
    match &args.readme {
        Some(readme) if full => {
            readme::update(readme, &report, &out)?;
            progress(format!(
                "updated the headline figures in {}",
                readme.display()
            ));
        }
        Some(readme) => progress(format!(
            "{} left alone: only a full run (no --quick, no --only) updates it",
            readme.display()
        )),
        None => {}
    }
    Ok(())
}

fn elapsed_since(started_at: f64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64());
    Duration::from_secs_f64((now - started_at).max(0.0))
}
