//! Throughput and latency: sequential `get_hex_project` calls over stdio against a standalone
//! sandbox without rate limits, so the figure is the servers' own overhead.

use std::time::Instant;

use serde_json::json;

use super::{Bench, Outcome, ms, progress, project_ids};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, cells, code, with_range},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session, is_tool_error},
    stats::{Summary, percentile},
};

pub const TARGETS: &[&str] = &[
    "≥ 2,000 sequential `get_hex_project` calls/s over stdio",
    "`get_hex_project` p99 ≤ 2 ms",
];

/// Calls before the clock starts (connection pool, allocator, caches): ours, the peer's (at
/// ~60 ms a call, a few are enough).
const WARM_UP: usize = 200;
const PEER_WARM_UP: usize = 10;

/// A run during which the hypervisor took more than this share of the machine's CPU ("steal":
/// other virtual machines on the same host) measured them, not us: every process's CPU per call
/// doubles and calls/s halves. Such a run is set aside, reported, and made again.
const STEAL_LIMIT: f64 = 0.05;
/// Runs set aside per contender at most, as a multiple of its runs; past that, runs are kept
/// whatever the steal, and the steal row shows it.
const SET_ASIDE_FACTOR: usize = 2;

#[derive(Debug, Clone, Copy)]
struct Run {
    calls_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    /// CPU per timed call, in µs: the server, the sandbox, this driver.
    cpu_us: [f64; 3],
    /// Share of the machine's CPU time the hypervisor stole during the timed calls.
    steal: f64,
}

struct Contender {
    name: String,
    spec: ServerSpec,
    warm_up: usize,
    calls: usize,
    /// How many runs to make.
    rounds: usize,
    runs: Vec<Run>,
    /// Runs made again because of steal.
    set_aside: Vec<Run>,
}

impl Contender {
    fn new(name: &str, spec: ServerSpec, warm_up: usize, calls: usize, rounds: usize) -> Self {
        Contender {
            name: name.into(),
            spec,
            warm_up,
            calls,
            rounds,
            runs: Vec::new(),
            set_aside: Vec::new(),
        }
    }

    /// One run kept: made again while the hypervisor steals too much, within the budget.
    fn make_run(
        &mut self,
        number: usize,
        sandbox: &SandboxProcess,
        ids: &[String],
    ) -> Result<(), BenchError> {
        loop {
            progress(format!(
                "throughput: {} run {number}/{} ({} calls)",
                self.name, self.rounds, self.calls
            ));
            let run = one_run(&self.spec, sandbox, ids, self.warm_up, self.calls)
                .map_err(|error| error.context(&self.name))?;
            if run.steal <= STEAL_LIMIT || self.set_aside.len() >= self.rounds * SET_ASIDE_FACTOR {
                self.runs.push(run);
                return Ok(());
            }
            progress(format!(
                "throughput: the hypervisor took {:.0} % of the CPU during that run \
                 ({:.0} calls/s); setting it aside and running again",
                run.steal * 100.0,
                run.calls_per_s
            ));
            self.set_aside.push(run);
        }
    }
}

fn one_run(
    spec: &ServerSpec,
    sandbox: &SandboxProcess,
    ids: &[String],
    warm_up: usize,
    calls: usize,
) -> Result<Run, BenchError> {
    let mut session = Session::spawn(spec)?;
    session.initialize()?;
    let arguments = |index: usize| {
        let id = ids
            .get(index % ids.len().max(1))
            .cloned()
            .unwrap_or_default();
        json!({"project_id": id})
    };
    for index in 0..warm_up {
        session.call_tool("get_hex_project", arguments(index))?;
    }
    let mut latencies = Vec::with_capacity(calls);
    let mut errors = 0;
    let cpu_before = cpu(&session, sandbox)?;
    let machine_before = crate::proc::CpuTotals::now();
    let start = Instant::now();
    for index in 0..calls {
        let sent = Instant::now();
        let result = session.call_tool("get_hex_project", arguments(index))?;
        latencies.push(ms(sent.elapsed()));
        errors += usize::from(is_tool_error(&result));
    }
    let elapsed = start.elapsed();
    let steal = machine_before.map_or(0.0, crate::proc::CpuTotals::steal_share_since);
    let cpu_after = cpu(&session, sandbox)?;
    session.close()?;
    let per_call = |index: usize| {
        let spent = cpu_after.get(index).zip(cpu_before.get(index));
        spent.map_or(f64::NAN, |(after, before)| {
            (after - before) * 1e6 / calls as f64
        })
    };
    Ok(Run {
        cpu_us: [per_call(0), per_call(1), per_call(2)],
        calls_per_s: calls as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&latencies, 50.0).unwrap_or(f64::NAN),
        p99_ms: percentile(&latencies, 99.0).unwrap_or(f64::NAN),
        errors,
        steal,
    })
}

/// CPU seconds so far of the server, the sandbox and this process.
fn cpu(session: &Session, sandbox: &SandboxProcess) -> Result<[f64; 3], BenchError> {
    Ok([
        session.cpu_seconds()?,
        sandbox.cpu_seconds()?,
        crate::proc::cpu_seconds(std::process::id())?,
    ])
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let sandbox = SandboxProcess::start(&bench.hex_mcp, &["--rate-limits", "off"])?;
    let ids = {
        let mut session = Session::spawn(&bench.ours(&sandbox, &[]))?;
        session.initialize()?;
        let (ids, _) = project_ids(&mut session, 100)?;
        session.close()?;
        ids
    };
    if ids.is_empty() {
        return Err(BenchError::new("the sandbox listed no projects"));
    }
    let mut contenders = vec![Contender::new(
        super::OURS,
        bench.ours(&sandbox, &[]),
        WARM_UP,
        bench.runs(2_000, 500),
        bench.runs(5, 1),
    )];
    if let Some(spec) = bench.peer(&sandbox) {
        contenders.push(Contender::new(
            super::PEER,
            spec,
            PEER_WARM_UP,
            bench.runs(100, 30),
            bench.runs(3, 1),
        ));
    }
    // Alternate the servers, run by run, until each has made its runs.
    let rounds = contenders.iter().map(|c| c.rounds).max().unwrap_or(0);
    for run in 1..=rounds {
        for contender in contenders.iter_mut().filter(|c| c.rounds >= run) {
            contender.make_run(run, &sandbox, &ids)?;
        }
    }
    report(bench, &sandbox, &contenders, ids.len())
}

/// Which runs were made again because the hypervisor stole CPU during them, and what they gave.
fn set_aside_note(contender: &Contender) -> Option<String> {
    if contender.set_aside.is_empty() {
        return None;
    }
    let runs: Vec<String> = contender
        .set_aside
        .iter()
        .map(|run| {
            format!(
                "{:.0} calls/s, p99 {:.3} ms, {:.0} % steal",
                run.calls_per_s,
                run.p99_ms,
                run.steal * 100.0
            )
        })
        .collect();
    Some(format!(
        "{}: {} run(s) set aside and made again because the hypervisor took more than {:.0} % of \
         the machine's CPU during them (steal time in `/proc/stat`: other virtual machines on the \
         same host slow every process alike): {}.",
        contender.name,
        runs.len(),
        STEAL_LIMIT * 100.0,
        runs.join("; ")
    ))
}

fn report(
    bench: &Bench,
    sandbox: &SandboxProcess,
    contenders: &[Contender],
    projects: usize,
) -> Result<Outcome, BenchError> {
    let mut section = Section::new("3. Throughput and latency (sequential `get_hex_project`)");
    section.intro.push(format!(
        "One MCP session per run: `initialize`, warm-up calls ({WARM_UP} for ours, \
         {PEER_WARM_UP} for the peer, whose calls take ~60 ms), then the timed calls, \
         each sent when the previous reply has arrived, over the {} projects of a standalone \
         sandbox without rate limits ({}). Latency: from writing the request to reading its \
         reply. Calls/s: timed calls over their total time. This machine is a virtual one: \
         a run during which the hypervisor took more than {:.0} % of its CPU for other machines \
         (steal) is set aside, listed below the table, and made again (at most {} times as many \
         runs as kept).",
        projects,
        code(&sandbox.command_line()),
        STEAL_LIMIT * 100.0,
        SET_ASIDE_FACTOR
    ));
    let mut table = Table::new(&[
        "Server",
        "Measure",
        "Median",
        "Min",
        "Max",
        "Runs × calls",
        "Tool errors",
        "Command",
    ]);
    let mut figures = Vec::new();
    for contender in contenders {
        let summary = |pick: fn(&Run) -> f64| {
            let values: Vec<f64> = contender.runs.iter().map(pick).collect();
            Summary::of(&values).ok_or_else(|| BenchError::new("no throughput runs"))
        };
        let rate = summary(|run| run.calls_per_s)?;
        let p50 = summary(|run| run.p50_ms)?;
        let p99 = summary(|run| run.p99_ms)?;
        let server_cpu = summary(|run| run.cpu_us[0])?;
        let sandbox_cpu = summary(|run| run.cpu_us[1])?;
        let driver_cpu = summary(|run| run.cpu_us[2])?;
        let steal = summary(|run| run.steal * 100.0)?;
        let errors: usize = contender.runs.iter().map(|run| run.errors).sum();
        for (measure, value, decimals) in [
            ("calls/s", rate, 0),
            ("p50 latency (ms)", p50, 3),
            ("p99 latency (ms)", p99, 3),
            ("server CPU per call (µs)", server_cpu, 0),
            ("sandbox CPU per call (µs)", sandbox_cpu, 0),
            ("driver (hex-bench) CPU per call (µs)", driver_cpu, 0),
            ("hypervisor steal during the run (%)", steal, 1),
        ] {
            let mut row = vec![contender.name.clone(), measure.to_string()];
            row.extend(cells(value, decimals));
            row.push(format!("{} × {}", value.runs, contender.calls));
            row.push(errors.to_string());
            row.push(code(&contender.spec.command_line()));
            table.row(row);
        }
        figures.push((rate, p50, p99, errors));
    }
    section.tables.push(table);
    section
        .notes
        .extend(contenders.iter().filter_map(set_aside_note));
    section.notes.extend(bench.peer_missing_note());
    let mut outcome = Outcome::new(section);
    let Some(&(rate, p50, p99, errors)) = figures.first() else {
        return Err(BenchError::new("no throughput results"));
    };
    outcome.check(Check::new(
        TARGETS.first().copied().unwrap_or_default(),
        format!("{:.0} calls/s ({errors} tool errors)", rate.median),
        Some(rate.median >= 2_000.0 && errors == 0),
    ));
    outcome.check(Check::new(
        TARGETS.get(1).copied().unwrap_or_default(),
        format!("{:.3} ms", p99.median),
        Some(p99.median <= 2.0),
    ));
    let mut figure = format!(
        "{:.0} calls/s ({:.0}–{:.0}), p50 {:.3} ms, p99 {}",
        rate.median,
        rate.min,
        rate.max,
        p50.median,
        with_range(p99, "ms", 3)
    );
    if let Some(&(peer_rate, _, peer_p99, _)) = figures.get(1) {
        figure.push_str(&format!(
            "; Python peer {:.0} calls/s, p99 {:.1} ms ({:.0}× fewer calls/s)",
            peer_rate.median,
            peer_p99.median,
            rate.median / peer_rate.median
        ));
    }
    outcome.headline("Sequential `get_hex_project` over stdio", figure);
    Ok(outcome)
}
