//! Soak: 20,000 mixed tool calls through one stdio session, one in ten meeting a fault injected
//! into the sandbox (server errors, 429, dropped connections, bodies that are not JSON, slow
//! answers). Every call must be answered, the process must live on, and neither its memory nor
//! its open files may grow between call 1,000 and the last.

use std::{collections::HashSet, time::Duration, time::Instant};

use serde_json::{Value, json};

use super::{
    Bench, Outcome,
    memory::{MIX_TEXT, Workspace, ours_call, workspace},
    progress,
};
use crate::{
    error::BenchError,
    proc,
    report::{Check, Section, Table, code},
    sandbox::{SandboxProcess, TOKEN},
    session::{Session, is_tool_error},
};

pub const TARGETS: &[&str] = &[
    "Soak: 20,000 calls with 10 % faults, 0 crashes, 0 hangs",
    "Soak: RSS growth < 5 MiB from call 1,000 to 20,000",
    "Soak: no file-descriptor growth from call 1,000 to 20,000",
];

const CALLS: usize = 20_000;
/// One call in this many has a fault injected before it is sent.
const FAULT_EVERY: usize = 10;
/// Calls in flight at once: a retried fault waits ~0.5–1 s, and 2,000 of them in a row would
/// make the soak half an hour; an agent with parallel tool calls does the same.
const IN_FLIGHT: usize = 16;
/// The baseline is read after this many calls, when allocator pools and connections are warm.
const BASELINE_AT: usize = 1_000;
/// A session that has not finished by then has hung (the watchdog kills it).
const SESSION_LIMIT: Duration = Duration::from_secs(900);

/// The faults, in turn: each is one rule answering the next request to Hex, whichever call
/// sends it.
fn fault(index: usize) -> Value {
    let kinds = [
        json!({"kind": "status", "status": 500}),
        json!({"kind": "status", "status": 502}),
        json!({"kind": "status", "status": 503, "retryAfter": 1}),
        json!({"kind": "status", "status": 504}),
        json!({"kind": "status", "status": 429, "retryAfter": 1}),
        json!({"kind": "drop_connection"}),
        json!({"kind": "malformed_body"}),
        json!({"kind": "delay", "delayMs": 300}),
    ];
    let mut rule = kinds
        .get(index % kinds.len())
        .cloned()
        .unwrap_or_else(|| json!({"kind": "drop_connection"}));
    if let Some(object) = rule.as_object_mut() {
        object.insert("method".into(), json!("*"));
        object.insert("path".into(), json!("/v1/**"));
        object.insert("times".into(), json!(1));
    }
    rule
}

const FAULT_TEXT: &str = "500, 502, 503 (Retry-After 1), 504, 429 (Retry-After 1), dropped \
    connection, body that is not JSON, 300 ms delay; in turn";

/// Posts fault rules to the sandbox's admin endpoint.
struct Injector {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    url: String,
}

impl Injector {
    fn new(sandbox: &SandboxProcess) -> Result<Injector, BenchError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| BenchError::new(format!("cannot start a runtime: {error}")))?;
        let root = sandbox.base_url.trim_end_matches("/api/v1");
        Ok(Injector {
            runtime,
            client: crate::http_mcp::http_client()?,
            url: format!("{root}/_sandbox/faults"),
        })
    }

    fn inject(&self, rule: &Value) -> Result<(), BenchError> {
        // Inside the runtime: reqwest arms its timeout when the request is sent.
        let sent = self.runtime.block_on(async {
            self.client
                .post(&self.url)
                .bearer_auth(TOKEN)
                .json(rule)
                .send()
                .await
        });
        match sent {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(BenchError::new(format!(
                "the sandbox refused a fault: HTTP {}",
                response.status()
            ))),
            Err(error) => Err(BenchError::new(format!("cannot inject a fault: {error}"))),
        }
    }
}

/// The server's resident memory and open files at one moment.
#[derive(Clone, Copy)]
struct Reading {
    rss_kib: u64,
    fds: usize,
}

fn read(session: &Session) -> Result<Reading, BenchError> {
    Ok(Reading {
        rss_kib: proc::rss_kib(session.pid())?,
        fds: proc::open_fds(session.pid())?,
    })
}

#[derive(Default)]
struct Soak {
    answered: usize,
    faults: usize,
    tool_errors: usize,
    rpc_errors: usize,
    baseline: Option<Reading>,
    last: Option<Reading>,
    peak_rss_kib: u64,
    /// Why the session ended early (a crash or a hang), if it did.
    died: Option<String>,
    took: Duration,
}

/// Sends the calls with up to [`IN_FLIGHT`] outstanding; at [`BASELINE_AT`] it lets them all
/// finish before reading the baseline, as it does before the last reading.
fn soak(
    session: &mut Session,
    workspace: &Workspace,
    injector: &Injector,
) -> Result<Soak, BenchError> {
    let mut soak = Soak::default();
    let mut outstanding = HashSet::new();
    let mut sent = 0;
    let started = Instant::now();
    while soak.answered < CALLS {
        let limit = if soak.answered < BASELINE_AT {
            BASELINE_AT
        } else {
            CALLS
        };
        while sent < limit && outstanding.len() < IN_FLIGHT {
            if sent % FAULT_EVERY == FAULT_EVERY - 1 {
                injector.inject(&fault(soak.faults))?;
                soak.faults += 1;
            }
            let (tool, arguments) = ours_call(workspace, sent);
            let id = session
                .send_request("tools/call", json!({"name": tool, "arguments": arguments}))?;
            outstanding.insert(id);
            sent += 1;
        }
        let response = match session.next_response() {
            Ok(response) => response,
            Err(error) => {
                soak.died = Some(error.to_string());
                break;
            }
        };
        if !outstanding.remove(&response.id) {
            continue;
        }
        soak.answered += 1;
        match &response.outcome {
            Ok(result) if is_tool_error(result) => soak.tool_errors += 1,
            Ok(_) => {}
            Err(_) => soak.rpc_errors += 1,
        }
        if outstanding.is_empty() && soak.answered == BASELINE_AT {
            soak.baseline = Some(read(session)?);
        }
        if soak.answered % 1_000 == 0 {
            let now = proc::rss_kib(session.pid())?;
            soak.peak_rss_kib = soak.peak_rss_kib.max(now);
            progress(format!(
                "soak: {} calls answered, RSS {:.1} MiB",
                soak.answered,
                now as f64 / 1024.0
            ));
        }
    }
    soak.took = started.elapsed();
    if soak.died.is_none() {
        soak.last = Some(read(session)?);
    }
    Ok(soak)
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let sandbox = SandboxProcess::start(&bench.hex_mcp, &["--rate-limits", "off"])?;
    let workspace = workspace(bench, &sandbox)?;
    let injector = Injector::new(&sandbox)?;
    let spec = bench.ours(&sandbox, &["--toolsets", "all"]);
    progress(format!(
        "soak: {CALLS} calls, {IN_FLIGHT} in flight, a fault every {FAULT_EVERY}"
    ));
    let mut session = Session::spawn_for(&spec, SESSION_LIMIT)?;
    session.initialize()?;
    let result = soak(&mut session, &workspace, &injector)?;
    session.close()?;
    report(&sandbox, &spec.command_line(), &result)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn report(sandbox: &SandboxProcess, command: &str, soak: &Soak) -> Result<Outcome, BenchError> {
    let mut section = Section::new("9. Soak (20,000 calls, 10 % faults)");
    section.intro.push(format!(
        "One stdio session of {}, {CALLS} tool calls with up to {IN_FLIGHT} in flight ({MIX_TEXT}) \
         against a standalone sandbox ({}). Before every {FAULT_EVERY}th call a fault is injected \
         for the next request to Hex ({FAULT_TEXT}). The baseline is read at call \
         {BASELINE_AT} and the last reading after call {CALLS}, each with no call in flight.",
        code(command),
        code(&sandbox.command_line())
    ));
    let (Some(baseline), Some(last)) = (soak.baseline, soak.last) else {
        let why = soak.died.as_deref().unwrap_or("no readings were taken");
        section.notes.push(format!(
            "The session ended after {} calls: {why}",
            soak.answered
        ));
        let mut outcome = Outcome::new(section);
        for target in TARGETS {
            outcome.check(Check::new(target, format!("failed: {why}"), Some(false)));
        }
        return Ok(outcome);
    };
    let growth_kib = last.rss_kib as i64 - baseline.rss_kib as i64;
    let fd_growth = last.fds as i64 - baseline.fds as i64;
    let mut table = Table::new(&[
        "Calls answered",
        "Faults injected",
        "Tool errors",
        "JSON-RPC errors",
        "RSS at 1,000 (MiB)",
        "RSS at 20,000 (MiB)",
        "Growth (MiB)",
        "Peak RSS (MiB)",
        "Open fds at 1,000 / 20,000",
        "Took (s)",
    ]);
    table.row(vec![
        soak.answered.to_string(),
        soak.faults.to_string(),
        soak.tool_errors.to_string(),
        soak.rpc_errors.to_string(),
        format!("{:.1}", mib(baseline.rss_kib)),
        format!("{:.1}", mib(last.rss_kib)),
        format!("{:+.2}", growth_kib as f64 / 1024.0),
        format!("{:.1}", mib(soak.peak_rss_kib.max(last.rss_kib))),
        format!("{} / {}", baseline.fds, last.fds),
        format!("{:.1}", soak.took.as_secs_f64()),
    ]);
    section.tables.push(table);
    section.notes.push(
        "Tool errors are the faults the server could not serve and said so (`isError`): a body \
         that is not JSON, or a fault on a call that is not safe to repeat. Crashes and hangs \
         would end the session early; none may."
            .into(),
    );
    let mut outcome = Outcome::new(section);
    let [whole, memory, files] = TARGETS else {
        return Err(BenchError::new("the soak has three targets"));
    };
    let survived = soak.answered == CALLS && soak.rpc_errors == 0;
    outcome.check(Check::new(
        whole,
        format!(
            "{} of {CALLS} answered, {} faults, 0 crashes, 0 hangs, {} tool errors",
            soak.answered, soak.faults, soak.tool_errors
        ),
        Some(survived),
    ));
    outcome.check(Check::new(
        memory,
        format!("{:+.2} MiB", growth_kib as f64 / 1024.0),
        Some(growth_kib < 5 * 1024),
    ));
    outcome.check(Check::new(
        files,
        format!("{} → {} open fds", baseline.fds, last.fds),
        Some(fd_growth <= 0),
    ));
    outcome.headline(
        "Soak, 20,000 calls with 10 % faults: RSS growth",
        format!("{:+.2} MiB", growth_kib as f64 / 1024.0),
    );
    Ok(outcome)
}
