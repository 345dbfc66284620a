//! Start-up: from process start to the `initialize` and `tools/list` replies over stdio, and the
//! peak RSS of the idle session; ours and the peer's, alternating, in one invocation.

use serde_json::json;

use super::{Bench, Outcome, ms, progress};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, cells, code, mib, with_range},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session},
    stats::Summary,
};

pub const TARGETS: &[&str] = &[
    "`tools/list` reply ≤ 10 ms after process start",
    "`tools/list` reply ≥ 50× sooner than the peer's",
    "Idle peak RSS ≤ 12 MiB",
    "`tools/list` reply ≤ 5 ms after process start with every toolset on",
];

#[derive(Debug, Default)]
struct Samples {
    initialize_ms: Vec<f64>,
    tools_list_ms: Vec<f64>,
    rss_kib: Vec<f64>,
}

impl Samples {
    fn take(&mut self, spec: &ServerSpec) -> Result<(), BenchError> {
        let mut session = Session::spawn(spec)?;
        session.initialize()?;
        let initialized = session.started.elapsed();
        session.request("tools/list", json!({}))?;
        let listed = session.started.elapsed();
        let rss = session.peak_rss_kib()?;
        session.close()?;
        self.initialize_ms.push(ms(initialized));
        self.tools_list_ms.push(ms(listed));
        self.rss_kib.push(rss as f64);
        Ok(())
    }
}

/// Which server a row is: the targets are checked on the installed binary's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Default,
    All,
    /// `--toolsets all` on the build's own output, in place.
    AllInPlace,
    Peer,
}

struct Contender {
    role: Role,
    spec: ServerSpec,
    name: String,
    samples: Samples,
}

impl Contender {
    fn new(role: Role, spec: ServerSpec, name: &str) -> Contender {
        Contender {
            role,
            spec,
            name: name.into(),
            samples: Samples::default(),
        }
    }
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let sandbox = SandboxProcess::start(&bench.hex_mcp, &["--rate-limits", "off"])?;
    let mut contenders = vec![
        Contender::new(
            Role::Default,
            bench.ours(&sandbox, &[]),
            "hex-mcp (Rust), default toolset",
        ),
        Contender::new(
            Role::All,
            bench.ours(&sandbox, &["--toolsets", "all"]),
            "hex-mcp (Rust), `--toolsets all`",
        ),
    ];
    if bench.built != bench.hex_mcp {
        let mut spec = bench.ours(&sandbox, &["--toolsets", "all"]);
        spec.program = bench.built.clone();
        contenders.push(Contender::new(
            Role::AllInPlace,
            spec,
            "hex-mcp (Rust), `--toolsets all`, the build's output in place",
        ));
    }
    if let Some(spec) = bench.peer(&sandbox) {
        contenders.push(Contender::new(
            Role::Peer,
            spec,
            "hex-mcp 0.1.10 (Python), all 7 tools",
        ));
    }
    let runs = bench.runs(15, 3);
    for run in 1..=runs {
        progress(format!("start-up: round {run}/{runs}"));
        for contender in &mut contenders {
            contender
                .samples
                .take(&contender.spec)
                .map_err(|error| error.context(&contender.name))?;
        }
    }
    report(bench, &sandbox, &contenders)
}

fn report(
    bench: &Bench,
    sandbox: &SandboxProcess,
    contenders: &[Contender],
) -> Result<Outcome, BenchError> {
    let mut section = Section::new("1. Start-up");
    section.intro.push(format!(
        "Time from spawning the process to the `initialize` reply and to the `tools/list` reply \
         (sent after `initialize`'s reply and `notifications/initialized`), over stdio; peak RSS \
         (`VmHWM`) of the idle session just before stdin is closed. {} rounds; in each round every \
         server is started once, in turn. The servers point at a sandbox ({}) but make no request \
         at start-up. Ours runs as installed ({}, a copy of the build's output, as `cargo \
         install` or a wheel puts it). The row marked \"in place\" runs the linker's output itself (in a \
         full run, straight after the clean build): LLD writes that file through a shared memory \
         map, and until the page cache is refreshed (a reboot, memory pressure) it starts slower \
         than any copy of it. It is there for developers who run `target/release/hex-mcp`; no \
         target applies to it.",
        contenders
            .first()
            .map_or(0, |contender| contender.samples.rss_kib.len()),
        code(&sandbox.command_line()),
        code(&bench.hex_mcp.display().to_string())
    ));
    let mut table = Table::new(&[
        "Server", "Measure", "Median", "Min", "Max", "Runs", "Command",
    ]);
    let mut summaries = Vec::new();
    for contender in contenders {
        let samples = &contender.samples;
        let summary = |values: &[f64]| {
            Summary::of(values).ok_or_else(|| BenchError::new("no start-up samples"))
        };
        let initialize = summary(&samples.initialize_ms)?;
        let listed = summary(&samples.tools_list_ms)?;
        let rss = summary(&samples.rss_kib)?.map(mib);
        let command = code(&contender.spec.command_line());
        for (measure, value, decimals) in [
            ("`initialize` reply (ms)", initialize, 2),
            ("`tools/list` reply (ms)", listed, 2),
            ("idle peak RSS (MiB)", rss, 1),
        ] {
            let mut row = vec![contender.name.clone(), measure.to_string()];
            row.extend(cells(value, decimals));
            row.push(value.runs.to_string());
            row.push(command.clone());
            table.row(row);
        }
        summaries.push((contender.role, listed, rss));
    }
    section.tables.push(table);
    section.notes.extend(bench.peer_missing_note());
    let mut outcome = Outcome::new(section);
    let find = |role: Role| {
        summaries
            .iter()
            .find(|(found, _, _)| *found == role)
            .map(|&(_, listed, rss)| (listed, rss))
    };
    let Some((ours_list, ours_rss)) = find(Role::Default) else {
        return Err(BenchError::new("no start-up results"));
    };
    outcome.check(Check::new(
        TARGETS.first().copied().unwrap_or_default(),
        format!("{:.2} ms", ours_list.median),
        Some(ours_list.median <= 10.0),
    ));
    let all_list = find(Role::All).map(|(listed, _)| listed);
    let in_place = find(Role::AllInPlace).map(|(listed, _)| listed);
    let ratio = match find(Role::Peer) {
        Some((peer_list, _)) => {
            let ratio = peer_list.median / ours_list.median;
            outcome.check(Check::new(
                TARGETS.get(1).copied().unwrap_or_default(),
                format!(
                    "{ratio:.0}× ({:.0} ms vs {:.2} ms)",
                    peer_list.median, ours_list.median
                ),
                Some(ratio >= 50.0),
            ));
            Some((ratio, peer_list))
        }
        None => {
            outcome.check(Check::unmeasured(
                TARGETS.get(1).copied().unwrap_or_default(),
            ));
            None
        }
    };
    outcome.check(Check::new(
        TARGETS.get(2).copied().unwrap_or_default(),
        format!("{:.1} MiB", ours_rss.median),
        Some(ours_rss.median <= 12.0),
    ));
    outcome.check(match all_list {
        Some(all) => Check::new(
            TARGETS.get(3).copied().unwrap_or_default(),
            format!("{:.2} ms", all.median),
            Some(all.median <= 5.0),
        ),
        None => Check::unmeasured(TARGETS.get(3).copied().unwrap_or_default()),
    });
    let mut figure = with_range(ours_list, "ms", 2);
    if let Some(all) = all_list {
        figure.push_str(&format!(
            "; {} with `--toolsets all`",
            with_range(all, "ms", 2)
        ));
    }
    if let Some(in_place) = in_place {
        figure.push_str(&format!(
            " ({} run in place, as linked)",
            with_range(in_place, "ms", 2)
        ));
    }
    if let Some((ratio, peer_list)) = ratio {
        figure.push_str(&format!(
            "; Python peer {}: **{ratio:.0}× sooner**",
            with_range(peer_list, "ms", 0)
        ));
    }
    outcome.headline("Start-up to `tools/list` reply (stdio)", figure);
    let mut rss = with_range(ours_rss, "MiB", 1);
    if let Some((_, peer_rss)) = find(Role::Peer) {
        rss.push_str(&format!("; Python peer {}", with_range(peer_rss, "MiB", 1)));
    }
    outcome.headline("Idle peak RSS", rss);
    Ok(outcome)
}
