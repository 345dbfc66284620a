//! Context cost: the bytes of `tools/list` (what a client puts in the model's context), as
//! compact UTF-8 JSON, for the whole list and per tool.

use serde_json::{Value, json};

use super::{Bench, Outcome, progress};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, code},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session},
};

pub const TARGETS: &[&str] = &[
    "Default-toolset `tools/list` ≤ 20 KB",
    "≤ 600 bytes per tool on average over all tools",
    "Every toolset on: `tools/list` ≤ 40 KB",
];

/// How many of the largest tools each listing names.
const LARGEST: usize = 5;

struct Listing {
    name: String,
    command: String,
    /// `{"tools":[…]}` as compact JSON.
    total: usize,
    /// (tool name, bytes of its compact JSON), largest first.
    tools: Vec<(String, usize)>,
}

impl Listing {
    fn of(name: &str, spec: &ServerSpec) -> Result<Listing, BenchError> {
        let mut session = Session::spawn(spec)?;
        session.initialize()?;
        let result = session.request("tools/list", json!({}))?;
        session.close()?;
        let tools = result
            .get("tools")
            .and_then(Value::as_array)
            .ok_or_else(|| BenchError::new(format!("{name}: tools/list has no tools")))?;
        let mut sizes = Vec::new();
        for tool in tools {
            let tool_name = tool
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            sizes.push((tool_name, compact_len(tool)?));
        }
        sizes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Listing {
            name: name.to_string(),
            command: spec.command_line(),
            total: compact_len(&json!({"tools": tools}))?,
            tools: sizes,
        })
    }

    fn average(&self) -> f64 {
        self.total as f64 / self.tools.len().max(1) as f64
    }
}

fn compact_len(value: &Value) -> Result<usize, BenchError> {
    serde_json::to_string(value)
        .map(|text| text.len())
        .map_err(|error| BenchError::new(format!("cannot encode a tool: {error}")))
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    progress("context cost: tools/list sizes");
    let sandbox = SandboxProcess::start(&bench.hex_mcp, &["--rate-limits", "off"])?;
    let mut listings = vec![
        Listing::of(
            "hex-mcp (Rust), default toolset",
            &bench.ours(&sandbox, &[]),
        )?,
        Listing::of(
            "hex-mcp (Rust), `--toolsets all`",
            &bench.ours(&sandbox, &["--toolsets", "all"]),
        )?,
    ];
    if let Some(spec) = bench.peer(&sandbox) {
        listings.push(Listing::of("hex-mcp 0.1.10 (Python), all tools", &spec)?);
    }
    Ok(report(bench, &listings))
}

fn report(bench: &Bench, listings: &[Listing]) -> Outcome {
    let mut section = Section::new("2. Context cost (`tools/list`)");
    section.intro.push(
        "Bytes of the `tools/list` result `{\"tools\":[…]}` re-encoded as compact UTF-8 JSON \
         (key order kept), and of each tool object; the same every run, so measured once."
            .into(),
    );
    let mut table = Table::new(&[
        "Server",
        "Tools",
        "Bytes",
        "Bytes per tool (average)",
        "Largest five (bytes)",
        "Command",
    ]);
    for listing in listings {
        let largest = listing
            .tools
            .iter()
            .take(LARGEST)
            .map(|(name, bytes)| format!("`{name}` {bytes}"))
            .collect::<Vec<_>>()
            .join(", ");
        table.row(vec![
            listing.name.clone(),
            listing.tools.len().to_string(),
            listing.total.to_string(),
            format!("{:.0}", listing.average()),
            largest,
            code(&listing.command),
        ]);
    }
    section.tables.push(table);
    section.notes.extend(bench.peer_missing_note());
    let mut outcome = Outcome::new(section);
    let default = listings.first();
    let all = listings.get(1);
    outcome.check(match default {
        Some(listing) => Check::new(
            TARGETS.first().copied().unwrap_or_default(),
            format!("{} bytes ({} tools)", listing.total, listing.tools.len()),
            Some(listing.total <= 20_000),
        ),
        None => Check::unmeasured(TARGETS.first().copied().unwrap_or_default()),
    });
    outcome.check(match all {
        Some(listing) => Check::new(
            TARGETS.get(1).copied().unwrap_or_default(),
            format!(
                "{:.0} bytes ({} bytes, {} tools)",
                listing.average(),
                listing.total,
                listing.tools.len()
            ),
            Some(listing.average() <= 600.0),
        ),
        None => Check::unmeasured(TARGETS.get(1).copied().unwrap_or_default()),
    });
    outcome.check(match all {
        Some(listing) => Check::new(
            TARGETS.get(2).copied().unwrap_or_default(),
            format!("{} bytes ({} tools)", listing.total, listing.tools.len()),
            Some(listing.total <= 40_000),
        ),
        None => Check::unmeasured(TARGETS.get(2).copied().unwrap_or_default()),
    });
    if let (Some(default), Some(all)) = (default, all) {
        let mut figure = format!(
            "{} bytes for the default {} tools; {} bytes for all {} ({:.0} bytes per tool)",
            default.total,
            default.tools.len(),
            all.total,
            all.tools.len(),
            all.average()
        );
        if let Some(peer) = listings.get(2) {
            figure.push_str(&format!(
                "; Python peer {} bytes for {} tools ({:.0} per tool)",
                peer.total,
                peer.tools.len(),
                peer.average()
            ));
        }
        outcome.headline("`tools/list` size (compact JSON)", figure);
    }
    outcome
}
