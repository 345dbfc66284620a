//! HTTP load: 32 concurrent MCP clients over Streamable HTTP, each making 200 `get_hex_project`
//! calls one after another, against a standalone sandbox without rate limits. The driver is
//! raw JSON-RPC through reqwest on a single-threaded tokio runtime, one task per client, so it
//! takes as little of the two cores as it can from the server and the sandbox it shares them with.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tokio::sync::Barrier;

use super::{Bench, Outcome, ms, progress};
use crate::{
    error::BenchError,
    http_mcp::{Era, McpHttpClient, Reply},
    http_server::HttpServerProcess,
    proc::CpuTotals,
    report::{Check, Section, Table, cells, code, with_range},
    sandbox::{SandboxProcess, TOKEN},
    session::ServerSpec,
    stats::{Summary, percentile},
};

pub const TARGETS: &[&str] = &[
    "≥ 2,000 `get_hex_project` calls/s from 32 concurrent HTTP clients (2025-11-25 sessions), \
     no errors",
    "`get_hex_project` p99 ≤ 30 ms over HTTP under that load",
];

const CLIENTS: usize = 32;
const CALLS: usize = 200;
/// Calls per client before the clock starts (connections, allocator, the server's caches).
const WARM_UP: usize = 5;
/// A run (set-up, warm-up, timed calls) that takes longer fails the measurement: the requests'
/// own 10 s limit alone would let a hung server hold the harness for 200 × 10 s.
const RUN_LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
struct Run {
    calls_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// JSON-RPC errors, tool errors, wrong answers, HTTP and transport failures.
    errors: usize,
    first_error: Option<String>,
    /// CPU per timed call, in µs: the server, the sandbox, this driver.
    cpu_us: [f64; 3],
    steal: f64,
}

/// What one client did in the timed part of a run.
struct ClientRun {
    latencies: Vec<f64>,
    errors: usize,
    first_error: Option<String>,
    finished: Instant,
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let sandbox = SandboxProcess::start(&bench.hex_mcp, &["--rate-limits", "off"])?;
    let spec = bench.ours(&sandbox, &[]);
    // One thread for all the clients: the driver's share of the CPU stays at one core at most,
    // and no work-stealing between threads adds to its cost per call.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| BenchError::new(format!("cannot start a tokio runtime: {error}")))?;
    // The session era first: the targets and the headline are its figures.
    let targets = [
        Target::Mcp(Era::Session),
        Target::Mcp(Era::Stateless),
        Target::Sandbox,
    ];
    let runs = runtime.block_on(async {
        let server = HttpServerProcess::start(&spec).await?;
        let project = first_project(&server.mcp_url()).await?;
        let urls = Urls {
            mcp: server.mcp_url(),
            sandbox: sandbox.base_url.clone(),
        };
        let mut runs: Vec<Vec<Run>> = vec![Vec::new(); targets.len()];
        let rounds = bench.runs(5, 1);
        // Alternate the targets, run by run, so a noisy moment does not fall on one of them only.
        for round in 1..=rounds {
            for (target, kept) in targets.iter().zip(runs.iter_mut()) {
                progress(format!(
                    "http: {} run {round}/{rounds} ({CLIENTS} clients × {CALLS} calls)",
                    target_name(*target)
                ));
                let run = tokio::time::timeout(
                    RUN_LIMIT,
                    one_run(&server, &sandbox, &urls, *target, &project),
                )
                .await
                .map_err(|_| {
                    BenchError::new(format!(
                        "a run took more than {} s; the server's stderr: {}",
                        RUN_LIMIT.as_secs(),
                        server.stderr_tail()
                    ))
                })??;
                kept.push(run);
            }
        }
        Ok::<_, BenchError>(runs)
    })?;
    report(&spec, &sandbox, &targets, &runs)
}

/// What the clients call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Our server's `get_hex_project`.
    Mcp(Era),
    /// The sandbox's `GET /projects/{id}` with no MCP server between: the same load's floor on
    /// this machine, and the driver's own cost per HTTP call.
    Sandbox,
}

fn target_name(target: Target) -> String {
    match target {
        Target::Mcp(era @ Era::Session) => format!("{} sessions", era.version()),
        Target::Mcp(era @ Era::Stateless) => format!("{} stateless", era.version()),
        Target::Sandbox => "sandbox alone (REST, no MCP server)".into(),
    }
}

/// One client's connection to its target.
enum Caller {
    Mcp(McpHttpClient),
    Rest { http: reqwest::Client, url: String },
}

impl Caller {
    async fn connect(target: Target, urls: &Urls, project: &str) -> Result<Caller, BenchError> {
        match target {
            Target::Mcp(era) => {
                let mut client = McpHttpClient::new(&urls.mcp, era)?;
                client.initialize().await?;
                Ok(Caller::Mcp(client))
            }
            Target::Sandbox => Ok(Caller::Rest {
                http: crate::http_mcp::http_client()?,
                url: format!("{}/projects/{project}", urls.sandbox),
            }),
        }
    }

    /// One `get_hex_project` (or its REST equivalent); why it counts as an error, if it does.
    async fn call(&mut self, arguments: &Value, project: &str) -> Option<String> {
        match self {
            Caller::Mcp(client) => failure(
                client.call_tool("get_hex_project", arguments.clone()).await,
                project,
            ),
            Caller::Rest { http, url } => {
                let reply = http.get(url.as_str()).bearer_auth(TOKEN).send().await;
                let body = match reply {
                    Ok(response) if response.status().is_success() => response.bytes().await,
                    Ok(response) => return Some(format!("HTTP {}", response.status())),
                    Err(error) => return Some(error.to_string()),
                };
                let project_json = body
                    .ok()
                    .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
                let id = project_json.as_ref().and_then(|json| json.get("id"));
                (id.and_then(Value::as_str) != Some(project))
                    .then(|| format!("answered project {id:?}, not {project}"))
            }
        }
    }

    async fn close(self) {
        if let Caller::Mcp(client) = self {
            client.close().await;
        }
    }
}

/// Where the clients send their requests.
struct Urls {
    /// `http://127.0.0.1:PORT/mcp`.
    mcp: String,
    /// `http://127.0.0.1:PORT/api/v1`.
    sandbox: String,
}

/// One existing project's id, from one `list_hex_projects` call.
async fn first_project(url: &str) -> Result<String, BenchError> {
    let mut client = McpHttpClient::new(url, Era::Session)?;
    client.initialize().await?;
    let reply = client
        .call_tool("list_hex_projects", json!({"limit": 1}))
        .await?;
    client.close().await;
    let Reply::Ok(result) = reply else {
        return Err(BenchError::new(format!(
            "list_hex_projects failed: {reply:?}"
        )));
    };
    result
        .pointer("/structuredContent/values/0/id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| BenchError::new("the sandbox listed no projects"))
}

async fn one_run(
    server: &HttpServerProcess,
    sandbox: &SandboxProcess,
    urls: &Urls,
    target: Target,
    project: &str,
) -> Result<Run, BenchError> {
    // Every client and this task meet here once set up and warmed up: the clock starts for all.
    let start_line = Arc::new(Barrier::new(CLIENTS + 1));
    let urls = Arc::new(Urls {
        mcp: urls.mcp.clone(),
        sandbox: urls.sandbox.clone(),
    });
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            tokio::spawn(client(
                Arc::clone(&urls),
                target,
                project.to_string(),
                Arc::clone(&start_line),
            ))
        })
        .collect();
    start_line.wait().await;
    let cpu_before = cpu(server, sandbox)?;
    let machine = CpuTotals::now();
    let start = Instant::now();
    let mut clients = Vec::with_capacity(CLIENTS);
    for task in tasks {
        let done = task
            .await
            .map_err(|error| BenchError::new(format!("a client task failed: {error}")))?;
        clients.push(done?);
    }
    let steal = machine.map_or(0.0, CpuTotals::steal_share_since);
    let cpu_after = cpu(server, sandbox)?;
    let finished = clients
        .iter()
        .map(|client| client.finished)
        .max()
        .unwrap_or(start);
    let calls = CLIENTS * CALLS;
    let latencies: Vec<f64> = clients
        .iter()
        .flat_map(|client| client.latencies.iter().copied())
        .collect();
    let per_call = |index: usize| {
        let spent = cpu_after.get(index).zip(cpu_before.get(index));
        spent.map_or(f64::NAN, |(after, before)| {
            (after - before) * 1e6 / calls as f64
        })
    };
    Ok(Run {
        calls_per_s: calls as f64 / finished.duration_since(start).as_secs_f64(),
        p50_ms: percentile(&latencies, 50.0).unwrap_or(f64::NAN),
        p99_ms: percentile(&latencies, 99.0).unwrap_or(f64::NAN),
        errors: clients.iter().map(|client| client.errors).sum(),
        first_error: clients.iter().find_map(|client| client.first_error.clone()),
        cpu_us: [per_call(0), per_call(1), per_call(2)],
        steal,
    })
}

/// One client: connect (and initialize, in the session era), warm up, wait for the others,
/// then its timed calls.
async fn client(
    urls: Arc<Urls>,
    target: Target,
    project: String,
    start_line: Arc<Barrier>,
) -> Result<ClientRun, BenchError> {
    let arguments = json!({"project_id": project});
    let set_up = async {
        let mut client = Caller::connect(target, &urls, &project).await?;
        for _ in 0..WARM_UP {
            if let Some(why) = client.call(&arguments, &project).await {
                return Err(BenchError::new(format!("a warm-up call failed: {why}")));
            }
        }
        Ok(client)
    }
    .await;
    // Even a client that failed to set up must reach the line, or the others wait forever.
    start_line.wait().await;
    let mut client = set_up?;
    let mut run = ClientRun {
        latencies: Vec::with_capacity(CALLS),
        errors: 0,
        first_error: None,
        finished: Instant::now(),
    };
    for _ in 0..CALLS {
        let sent = Instant::now();
        let failed = client.call(&arguments, &project).await;
        run.latencies.push(ms(sent.elapsed()));
        if let Some(why) = failed {
            run.errors += 1;
            run.first_error.get_or_insert(why);
        }
    }
    run.finished = Instant::now();
    client.close().await;
    Ok(run)
}

/// Why a call counts as an error, if it does: it failed, or answered another project.
fn failure(reply: Result<Reply, BenchError>, project: &str) -> Option<String> {
    match reply {
        Err(error) => Some(error.to_string()),
        Ok(Reply::Failed(why)) => Some(why),
        Ok(Reply::Ok(result)) => {
            let id = result
                .pointer("/structuredContent/id")
                .and_then(Value::as_str);
            (id != Some(project)).then(|| format!("answered project {id:?}, not {project}"))
        }
    }
}

/// CPU seconds so far of the server, the sandbox and this process.
fn cpu(server: &HttpServerProcess, sandbox: &SandboxProcess) -> Result<[f64; 3], BenchError> {
    Ok([
        crate::proc::cpu_seconds(server.pid())?,
        sandbox.cpu_seconds()?,
        crate::proc::cpu_seconds(std::process::id())?,
    ])
}

fn report(
    spec: &ServerSpec,
    sandbox: &SandboxProcess,
    targets: &[Target],
    runs: &[Vec<Run>],
) -> Result<Outcome, BenchError> {
    let mut section = Section::new("8. HTTP load (32 concurrent clients, `get_hex_project`)");
    let command = format!(
        "{} --transport http --bind 127.0.0.1:PORT",
        spec.command_line()
    );
    let rest =
        format!("GET http://127.0.0.1:PORT/api/v1/projects/ID (Authorization: Bearer {TOKEN})");
    section.intro.push(format!(
        "{CLIENTS} MCP clients over Streamable HTTP at `/mcp`, each on its own keep-alive \
         connection, each making {CALLS} `get_hex_project` calls (one project) one after another, \
         all at once, against a standalone sandbox without rate limits ({}). In the 2025-11-25 \
         era each client first initializes a session; in the 2026-07-28 era every request stands \
         alone (protocol version and capabilities in `_meta`, `Mcp-Method`/`Mcp-Name` headers). \
         Each client makes {WARM_UP} warm-up calls, then all start together. Latency: from \
         sending a request to having parsed its reply (SSE or JSON); p50/p99 over every timed \
         call of a run. Calls/s: all timed calls over the time until the last client finished. \
         Errors: JSON-RPC errors, tool errors, replies naming another project, HTTP and \
         transport failures (10 s limit per request). The last rows send the same load straight \
         to the sandbox's REST API, with no MCP server between: what this machine, the sandbox \
         and the driver allow at best. The driver (raw JSON-RPC through reqwest, \
         one tokio thread), the server and the sandbox share the machine's two cores; their CPU \
         per call shows where the time goes.",
        code(&sandbox.command_line()),
    ));
    let mut table = Table::new(&[
        "Protocol",
        "Measure",
        "Median",
        "Min",
        "Max",
        "Runs × calls",
        "Errors",
        "Command",
    ]);
    let mut figures = Vec::new();
    for (target, runs) in targets.iter().zip(runs) {
        let summary = |pick: fn(&Run) -> f64| {
            let values: Vec<f64> = runs.iter().map(pick).collect();
            Summary::of(&values).ok_or_else(|| BenchError::new("no HTTP load runs"))
        };
        let rate = summary(|run| run.calls_per_s)?;
        let p50 = summary(|run| run.p50_ms)?;
        let p99 = summary(|run| run.p99_ms)?;
        let errors: usize = runs.iter().map(|run| run.errors).sum();
        for (measure, value, decimals) in [
            ("calls/s", rate, 0),
            ("p50 latency (ms)", p50, 2),
            ("p99 latency (ms)", p99, 2),
            ("server CPU per call (µs)", summary(|run| run.cpu_us[0])?, 0),
            (
                "sandbox CPU per call (µs)",
                summary(|run| run.cpu_us[1])?,
                0,
            ),
            (
                "driver (hex-bench) CPU per call (µs)",
                summary(|run| run.cpu_us[2])?,
                0,
            ),
            (
                "hypervisor steal during the run (%)",
                summary(|run| run.steal * 100.0)?,
                1,
            ),
        ] {
            let mut row = vec![target_name(*target), measure.to_string()];
            row.extend(cells(value, decimals));
            row.push(format!("{} × {}", value.runs, CLIENTS * CALLS));
            row.push(errors.to_string());
            row.push(code(match target {
                Target::Mcp(_) => &command,
                Target::Sandbox => &rest,
            }));
            table.row(row);
        }
        if let Some(first) = runs.iter().find_map(|run| run.first_error.clone()) {
            section.notes.push(format!(
                "{}: {errors} error(s); the first: {}",
                target_name(*target),
                first.replace('|', "\\|")
            ));
        }
        figures.push((*target, rate, p50, p99, errors));
    }
    section.tables.push(table);
    let mut outcome = Outcome::new(section);
    let find = |wanted: Target| figures.iter().find(|figure| figure.0 == wanted);
    let Some(&(_, rate, p50, p99, errors)) = find(Target::Mcp(Era::Session)) else {
        return Err(BenchError::new("no HTTP load results"));
    };
    outcome.check(Check::new(
        TARGETS.first().copied().unwrap_or_default(),
        format!("{:.0} calls/s ({errors} errors)", rate.median),
        Some(rate.median >= 2_000.0 && errors == 0),
    ));
    outcome.check(Check::new(
        TARGETS.get(1).copied().unwrap_or_default(),
        format!("{:.2} ms", p99.median),
        Some(p99.median <= 30.0),
    ));
    let mut figure = format!(
        "{:.0} calls/s ({:.0}–{:.0}), p50 {:.2} ms, p99 {}, {errors} errors (2025-11-25 sessions)",
        rate.median,
        rate.min,
        rate.max,
        p50.median,
        with_range(p99, "ms", 2)
    );
    if let Some(&(_, rate, _, p99, errors)) = find(Target::Mcp(Era::Stateless)) {
        figure.push_str(&format!(
            "; 2026-07-28 stateless {:.0} calls/s, p99 {:.2} ms, {errors} errors",
            rate.median, p99.median
        ));
    }
    outcome.headline("32 concurrent HTTP clients × 200 `get_hex_project`", figure);
    Ok(outcome)
}
