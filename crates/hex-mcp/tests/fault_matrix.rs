//! The fault matrix (issue 11, item 4): every registered tool against every fault Hex or the
//! way to it can produce, each case on a fresh sandbox with a server in this process. Each case
//! must end in a correct answer (after a retry where the request is safe to repeat) or a clean
//! `isError` that says what happened and whether calling again is safe; no case may hang or
//! panic; a request Hex must get once is never logged twice; and a tool class answers a fault
//! one way. The table of outcomes is written to docs/FAULT-MATRIX.md by this test: the test
//! fails when the committed file differs from what ran, and `UPDATE_FAULT_MATRIX=1` rewrites it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "fault_matrix/examples.rs"]
mod examples;
#[path = "fault_matrix/harness.rs"]
mod harness;
#[path = "fault_matrix/table.rs"]
mod table;

use std::{collections::BTreeMap, path::PathBuf, sync::Arc};

use futures::StreamExt;
use harness::{Class, Fault, Fixture, HANG, Outcome};
use hex_mcp::registry::Registry;

/// Cases run at once: most of a case is waiting (backoff, `Retry-After`, the slow answer).
const PARALLEL: usize = 16;

/// One finished case.
pub struct Ran {
    pub tool: &'static str,
    pub class: Class,
    pub fault: Fault,
    pub outcome: Outcome,
    pub most_sent_once: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_tool_meets_every_fault_cleanly() {
    let registry = Arc::new(hex_mcp::tools::registry());
    let files = examples::semantic_project_dir();
    let mut cases: Vec<(usize, Fault)> = (0..registry.all().count())
        .flat_map(|index| Fault::ALL.into_iter().map(move |fault| (index, fault)))
        .collect();
    cases.sort_by_key(|(_, fault)| fault.slow_first());
    let ran: Vec<Ran> = futures::stream::iter(cases)
        .map(|(index, fault)| {
            let registry = registry.clone();
            let files = files.clone();
            tokio::spawn(async move { one_case(registry, index, fault, files).await })
        })
        .buffer_unordered(PARALLEL)
        .map(|joined| joined.unwrap_or_else(|error| panic!("a case panicked: {error}")))
        .collect()
        .await;

    let problems = problems(&ran);
    let written = table::markdown(&registry, &ran);
    table::check_or_update(&written);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

async fn one_case(registry: Arc<Registry>, index: usize, fault: Fault, files: PathBuf) -> Ran {
    let tool = registry.all().nth(index).unwrap();
    let class = Class::of(tool);
    let sandbox = harness::sandbox().await;
    let fixture = Fixture {
        sandbox: &sandbox,
        registry: &registry,
        files: &files,
        setup: tokio::sync::OnceCell::new(),
    };
    let Some(arguments) = examples::arguments(tool.spec.name, &fixture).await else {
        panic!(
            "{} has no example arguments: add it to tests/fault_matrix/examples.rs",
            tool.spec.name
        );
    };
    let case = harness::run_case(&registry, tool, fault, &sandbox, arguments, &files);
    let observed = match tokio::time::timeout(HANG, case).await {
        Ok(observed) => observed,
        Err(_) => harness::Observed {
            outcome: Outcome::Wrong(format!("no answer within {} s", HANG.as_secs())),
            most_sent_once: 0,
        },
    };
    sandbox.shutdown().await;
    Ran {
        tool: tool.spec.name,
        class,
        fault,
        outcome: observed.outcome,
        most_sent_once: observed.most_sent_once,
    }
}

/// Every case that went wrong, every request sent twice that Hex must get once, and every
/// class that answered one fault in more than one way.
fn problems(ran: &[Ran]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_cell: BTreeMap<(Fault, Class), BTreeMap<String, Vec<&str>>> = BTreeMap::new();
    for case in ran {
        if let Outcome::Wrong(what) = &case.outcome {
            problems.push(format!("{} × {}: {what}", case.tool, case.fault.label()));
        }
        if case.most_sent_once > 1 {
            problems.push(format!(
                "{} × {}: a request Hex must get once was sent {} times",
                case.tool,
                case.fault.label(),
                case.most_sent_once
            ));
        }
        by_cell
            .entry((case.fault, case.class))
            .or_default()
            .entry(case.outcome.text())
            .or_default()
            .push(case.tool);
    }
    for ((fault, class), outcomes) in by_cell {
        if outcomes.len() > 1 {
            problems.push(format!(
                "{} × {}: more than one outcome: {outcomes:?}",
                fault.label(),
                class.label()
            ));
        }
    }
    problems
}
