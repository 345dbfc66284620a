//! Puts the headline figures into the README between `<!-- bench:begin -->` and
//! `<!-- bench:end -->`, so the README never disagrees with the results it links to.

use std::path::Path;

use crate::{error::BenchError, report::Report};

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

pub fn update(readme: &Path, report: &Report, results: &Path) -> Result<(), BenchError> {
    let text = std::fs::read_to_string(readme)
        .map_err(|error| BenchError::new(format!("cannot read {}: {error}", readme.display())))?;
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(BenchError::new(format!(
            "{} has no {BEGIN} … {END} block",
            readme.display()
        )));
    };
    let (Some(head), Some(tail)) = (text.get(..begin + BEGIN.len()), text.get(end..)) else {
        return Err(BenchError::new(format!(
            "{}: {END} comes before {BEGIN}",
            readme.display()
        )));
    };
    if end < begin {
        return Err(BenchError::new(format!(
            "{}: {END} comes before {BEGIN}",
            readme.display()
        )));
    }
    let mut block = String::from("\n| What | Median (min–max) |\n| --- | --- |\n");
    for line in &report.headlines {
        block.push_str(&format!("| {} | {} |\n", line.what, line.figure));
    }
    let met = report
        .checks
        .iter()
        .filter(|check| check.met == Some(true))
        .count();
    let missed: Vec<&str> = report
        .checks
        .iter()
        .filter(|check| check.met != Some(true))
        .map(|check| check.target.as_str())
        .collect();
    block.push_str(&format!(
        "\nTargets met: {met} of {}{}.\n",
        report.checks.len(),
        if missed.is_empty() {
            String::new()
        } else {
            format!(" (not met: {})", missed.join("; "))
        }
    ));
    let date = report
        .facts
        .iter()
        .find(|(name, _)| name == "Date (UTC)")
        .map_or("", |(_, value)| value.as_str());
    block.push_str(&format!(
        "\nMeasured by `{}` on {} ({date}); every figure with its command and the targets: \
         [{}]({}).\n",
        report.command,
        machine(report),
        results.display(),
        results.display()
    ));
    std::fs::write(readme, format!("{head}{block}{tail}"))
        .map_err(|error| BenchError::new(format!("cannot write {}: {error}", readme.display())))
}

fn machine(report: &Report) -> String {
    let fact = |name: &str| {
        report
            .facts
            .iter()
            .find(|(fact, _)| fact == name)
            .map(|(_, value)| value.clone())
    };
    match (fact("Cores (nproc)"), fact("CPU")) {
        (Some(cores), Some(cpu)) => format!("a {cores}-core {cpu}"),
        _ => "this machine".into(),
    }
}
