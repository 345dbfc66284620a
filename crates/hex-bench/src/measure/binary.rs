//! Binary: the stripped release binary's size and the time of a clean release build.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use super::{Bench, Outcome, progress};
use crate::{
    error::BenchError,
    report::{Section, Table, code},
};

/// Clean build as the harness runs it, relative to the workspace root.
const TARGET_DIR: &str = "clean-build";

/// A finished clean release build: the harness runs it first and measures the binary it made,
/// so one command never builds the server twice.
#[derive(Debug, Clone)]
pub struct CleanBuild {
    pub seconds: f64,
    /// `<work>/clean-build/release/hex-mcp`.
    pub binary: PathBuf,
    pub log: PathBuf,
    /// The cargo command, as the results show it.
    pub command: String,
}

/// Builds the server in release into an empty target directory under `work`, timed.
pub fn clean_build(work: &Path) -> Result<CleanBuild, BenchError> {
    let target_dir = work.join(TARGET_DIR);
    if target_dir.exists() {
        std::fs::remove_dir_all(&target_dir).map_err(|error| {
            BenchError::new(format!("cannot remove {}: {error}", target_dir.display()))
        })?;
    }
    let log = work.join("clean-build.log");
    let target_arg = target_dir.display().to_string();
    let args = [
        "build",
        "--release",
        "--locked",
        "-p",
        "hex-mcp",
        "--target-dir",
        &target_arg,
    ];
    let command = format!("cargo {}", args.join(" "));
    progress(format!("binary: clean release build ({command})"));
    let start = Instant::now();
    cargo(&args, &log)?;
    Ok(CleanBuild {
        seconds: start.elapsed().as_secs_f64(),
        binary: target_dir.join("release").join("hex-mcp"),
        log,
        command,
    })
}

/// When the clean build is not measured: the repository's own release build (incremental).
pub fn repository_build(work: &Path) -> Result<PathBuf, BenchError> {
    progress("building hex-mcp (release, target/)");
    cargo(
        &["build", "--release", "--locked", "-p", "hex-mcp"],
        &work.join("build.log"),
    )?;
    Ok(PathBuf::from("target/release/hex-mcp"))
}

fn cargo(args: &[&str], log_path: &Path) -> Result<(), BenchError> {
    let log = File::create(log_path).map_err(|error| {
        BenchError::new(format!("cannot create {}: {error}", log_path.display()))
    })?;
    let status = Command::new("cargo")
        .args(args)
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|error| BenchError::new(format!("cannot run cargo: {error}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::new(format!(
            "cargo {} failed ({status}); see {}",
            args.join(" "),
            log_path.display()
        )))
    }
}

/// Reports the clean build the harness made before the other measurements.
pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let build = match &bench.clean_build {
        Some(Ok(build)) => build,
        Some(Err(error)) => return Err(BenchError::new(error.clone())),
        None => return Err(BenchError::new("the clean build did not run")),
    };
    let seconds = build.seconds;
    let built = &build.binary;
    let size = file_size(built)?;
    let stripped = !contains(built, b".symtab")?;
    let measured_size = file_size(&bench.built)?;
    let mut section = Section::new("7. Binary");
    section.intro.push(format!(
        "A clean release build of the server into an empty target directory (dependencies already \
         downloaded by `cargo fetch`; build log in {}), with the workspace's release profile: {}. \
         It runs first, on a quiet machine, and the other measurements use the binary it made, \
         installed as a user has it: copied to {} (as `cargo install` does).",
        code(&build.log.display().to_string()),
        profile(),
        code(&bench.hex_mcp.display().to_string())
    ));
    let mut table = Table::new(&["What", "Figure", "Command"]);
    table.row(vec![
        "Clean release build time".into(),
        format!("{seconds:.0} s ({:.1} min)", seconds / 60.0),
        code(&build.command),
    ]);
    table.row(vec![
        "Release binary size".into(),
        format!(
            "{:.2} MiB ({size} bytes), {}",
            size as f64 / (1024.0 * 1024.0),
            if stripped {
                "stripped"
            } else {
                "**not stripped**"
            }
        ),
        code(&format!("stat -c %s {}", built.display())),
    ]);
    if &bench.built != built {
        table.row(vec![
            "Binary the harness measured".into(),
            format!(
                "{:.2} MiB ({measured_size} bytes)",
                measured_size as f64 / (1024.0 * 1024.0)
            ),
            code(&format!("stat -c %s {}", bench.built.display())),
        ]);
    }
    section.tables.push(table);
    section.notes.push(format!(
        "The clean build is timed once per harness run ({} cores): it is the longest step.",
        std::thread::available_parallelism().map_or(0, usize::from)
    ));
    let mut outcome = Outcome::new(section);
    outcome.headline(
        "Release binary (stripped)",
        format!(
            "{:.1} MiB; clean release build {:.1} min",
            size as f64 / (1024.0 * 1024.0),
            seconds / 60.0
        ),
    );
    Ok(outcome)
}

fn file_size(path: &Path) -> Result<u64, BenchError> {
    std::fs::metadata(path)
        .map(|metadata| metadata.len())
        .map_err(|error| BenchError::new(format!("cannot stat {}: {error}", path.display())))
}

/// Whether the file contains `needle` (a `.symtab` section name means symbols were kept).
fn contains(path: &Path, needle: &[u8]) -> Result<bool, BenchError> {
    let bytes = std::fs::read(path)
        .map_err(|error| BenchError::new(format!("cannot read {}: {error}", path.display())))?;
    Ok(bytes.windows(needle.len()).any(|window| window == needle))
}

/// The `[profile.release]` settings of the workspace's Cargo.toml, as `key = value, …`.
fn profile() -> String {
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap_or_default();
    let settings: Vec<String> = manifest
        .lines()
        .skip_while(|line| line.trim() != "[profile.release]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| format!("`{line}`"))
        .collect();
    if settings.is_empty() {
        "Cargo's defaults".into()
    } else {
        settings.join(", ")
    }
}
