//! The results document: machine facts, targets, then one section per measurement, as Markdown.

use std::fmt::Write as _;

use crate::stats::Summary;

/// A Markdown table.
#[derive(Debug, Default, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|cell| (*cell).to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self, out: &mut String) {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        out.push_str(&line(&self.header));
        let rule: Vec<String> = self.header.iter().map(|_| "---".to_string()).collect();
        out.push_str(&line(&rule));
        for row in &self.rows {
            out.push_str(&line(row));
        }
    }
}

/// One measurement's part of the document.
#[derive(Debug, Default, Clone)]
pub struct Section {
    pub title: String,
    pub intro: Vec<String>,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
}

impl Section {
    pub fn new(title: &str) -> Section {
        Section {
            title: title.to_string(),
            ..Section::default()
        }
    }

    /// A section that could not be measured, saying why.
    pub fn failed(title: &str, why: &str) -> Section {
        let mut section = Section::new(title);
        section
            .intro
            .push(format!("**Not measured:** {}", why.replace('\n', " ")));
        section
    }
}

/// A target and whether the measurement meets it.
#[derive(Debug, Clone)]
pub struct Check {
    pub target: String,
    pub measured: String,
    /// `None`: could not be measured.
    pub met: Option<bool>,
}

impl Check {
    pub fn new(target: &str, measured: String, met: Option<bool>) -> Check {
        Check {
            target: target.to_string(),
            measured,
            met,
        }
    }

    pub fn unmeasured(target: &str) -> Check {
        Check::new(target, "not measured".into(), None)
    }
}

/// A headline figure for the README.
#[derive(Debug, Clone)]
pub struct Headline {
    pub what: String,
    pub figure: String,
}

/// How one measurement went on the clock.
#[derive(Debug, Clone)]
pub struct Timing {
    pub name: String,
    /// Share of CPU busy in the second before it started.
    pub busy_before: f64,
    /// Time spent waiting for the machine to settle.
    pub waited: std::time::Duration,
    pub took: std::time::Duration,
    /// Share of the machine's CPU the hypervisor stole while it ran.
    pub steal: f64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub facts: Vec<(String, String)>,
    pub timings: Vec<Timing>,
    pub command: String,
    pub checks: Vec<Check>,
    pub headlines: Vec<Headline>,
    pub sections: Vec<Section>,
}

impl Report {
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# Benchmark results\n\n");
        let _ = writeln!(
            out,
            "Written by `{}`; do not edit by hand. Figures are medians of several runs with \
             (min–max); every row gives the exact command. How the harness works: \
             [README.md](README.md).\n",
            self.command
        );
        let mut facts = Table::new(&["Machine", ""]);
        for (name, value) in &self.facts {
            facts.row(vec![name.clone(), value.clone()]);
        }
        facts.render(&mut out);
        if !self.timings.is_empty() {
            out.push_str(
                "\nEach measurement waits (up to 90 s) for a second in which the machine \
                          is less than 15 % busy, and records how busy it was and how much CPU the hypervisor \
                 took for other virtual machines while it ran (steal, from `/proc/stat`):\n\n",
            );
            let mut timings = Table::new(&[
                "Measurement",
                "CPU busy before (1 s)",
                "Waited (s)",
                "Took (s)",
                "Hypervisor steal during it",
            ]);
            for timing in &self.timings {
                timings.row(vec![
                    timing.name.clone(),
                    format!("{:.0} %", timing.busy_before * 100.0),
                    format!("{:.0}", timing.waited.as_secs_f64()),
                    format!("{:.0}", timing.took.as_secs_f64()),
                    format!("{:.1} %", timing.steal * 100.0),
                ]);
            }
            timings.render(&mut out);
        }
        out.push_str("\n## Headline\n\n");
        let mut headline = Table::new(&["What", "Figure"]);
        for line in &self.headlines {
            headline.row(vec![line.what.clone(), line.figure.clone()]);
        }
        headline.render(&mut out);
        out.push_str("\n## Targets\n\n");
        let mut targets = Table::new(&["Target", "Measured (median)", "Met"]);
        for check in &self.checks {
            let met = match check.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "not measured",
            };
            targets.row(vec![
                check.target.clone(),
                check.measured.clone(),
                met.into(),
            ]);
        }
        targets.render(&mut out);
        for section in &self.sections {
            let _ = write!(out, "\n## {}\n\n", section.title);
            for paragraph in &section.intro {
                let _ = write!(out, "{paragraph}\n\n");
            }
            for (index, table) in section.tables.iter().enumerate() {
                if index > 0 {
                    out.push('\n');
                }
                table.render(&mut out);
            }
            if !section.notes.is_empty() {
                out.push('\n');
            }
            for note in &section.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }
}

/// `1.23 ms (1.10–1.50)`.
pub fn with_range(summary: Summary, unit: &str, decimals: usize) -> String {
    format!(
        "{:.d$} {unit} ({:.d$}–{:.d$})",
        summary.median,
        summary.min,
        summary.max,
        d = decimals
    )
}

/// The three figures as separate cells: median, min, max.
pub fn cells(summary: Summary, decimals: usize) -> Vec<String> {
    vec![
        format!("{:.d$}", summary.median, d = decimals),
        format!("{:.d$}", summary.min, d = decimals),
        format!("{:.d$}", summary.max, d = decimals),
    ]
}

/// Inline code, safe inside a table cell.
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|").replace('`', "'"))
}

pub fn mib(kib: f64) -> f64 {
    kib / 1024.0
}
