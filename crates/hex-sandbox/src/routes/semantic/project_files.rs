//! The files of a Hex semantic project, as an ingest reads them: one YAML file per dataset
//! (`id`, `base_sql_table` or `base_sql_query`, `dimensions`, `measures`…) or view (`type: view`,
//! `id`, `base`: a dataset). Other files are skipped; what is wrong becomes a problem with the
//! key path of its cause.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::state::semantic::SemanticObject;

/// What an ingest found in an archive.
#[derive(Default)]
pub(crate) struct ProjectFiles {
    pub(crate) datasets: Vec<SemanticObject>,
    pub(crate) views: Vec<SemanticObject>,
    /// Path → why it was skipped.
    pub(crate) skipped: Map<String, Value>,
    pub(crate) problems: Vec<Problem>,
}

/// `HexSLProblemWithDisplay`.
pub(crate) struct Problem {
    pub(crate) severity: &'static str,
    pub(crate) message: String,
    /// The key path of the cause: the file, then keys inside it.
    pub(crate) cause: Vec<String>,
}

impl Problem {
    pub(crate) fn fatal(message: impl Into<String>) -> Problem {
        Problem {
            severity: "fatal",
            message: message.into(),
            cause: Vec::new(),
        }
    }

    fn error(cause: &[&str], message: impl Into<String>) -> Problem {
        Problem {
            severity: "error",
            message: message.into(),
            cause: cause.iter().map(|key| (*key).to_owned()).collect(),
        }
    }

    pub(crate) fn json(&self) -> Value {
        let cause_paths: Vec<Vec<String>> = if self.cause.is_empty() {
            Vec::new()
        } else {
            vec![self.cause.clone()]
        };
        let display = match self.cause.is_empty() {
            true => format!("{}: {}", self.severity, self.message),
            false => format!(
                "{}: {} (at {})",
                self.severity,
                self.message,
                self.cause.join(".")
            ),
        };
        json!({"severity": self.severity, "message": self.message, "cause_paths": cause_paths,
            "impact_paths": cause_paths, "validated_by_json_schema": false, "display": display})
    }

    /// Whether it stops the ingest (warnings do not).
    pub(crate) fn blocks(&self) -> bool {
        self.severity != "warning"
    }
}

/// Reads every file of the archive.
pub(crate) fn read(files: &[(String, Vec<u8>)]) -> ProjectFiles {
    let mut found = ProjectFiles::default();
    for (path, bytes) in files {
        if let Some(reason) = skip_reason(path) {
            found.skipped.insert(path.clone(), json!(reason));
            continue;
        }
        match definition(path, bytes) {
            Ok(Definition::Dataset(object)) => found.datasets.push(object),
            Ok(Definition::View(object)) => found.views.push(object),
            Err(problem) => found.problems.push(problem),
        }
    }
    found.check_references();
    if found.datasets.is_empty() && !found.problems.iter().any(Problem::blocks) {
        found.problems.push(Problem::fatal(
            "the archive holds no dataset (.yml or .yaml file with `id` and `base_sql_table`)",
        ));
    }
    found
}

fn skip_reason(path: &str) -> Option<&'static str> {
    let hidden = path
        .split('/')
        .any(|part| part.starts_with('.') || part == "__MACOSX");
    let yaml = path
        .rsplit('.')
        .next()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("yml") || ext.eq_ignore_ascii_case("yaml"));
    if hidden {
        Some("hidden file")
    } else if !yaml {
        Some("not a semantic layer file (.yml or .yaml)")
    } else {
        None
    }
}

enum Definition {
    Dataset(SemanticObject),
    View(SemanticObject),
}

fn definition(path: &str, bytes: &[u8]) -> Result<Definition, Problem> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Problem::error(&[path], "the file is not UTF-8 text"))?;
    let value: Value = yaml_serde::from_str(text)
        .map_err(|error| Problem::error(&[path], format!("invalid YAML: {error}")))?;
    let Value::Object(fields) = value else {
        return Err(Problem::error(&[path], "expected a mapping with an `id`"));
    };
    let text_of = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
    };
    let id = text_of("id").ok_or_else(|| Problem::error(&[path, "id"], "`id` is required"))?;
    let object = |base: &str| SemanticObject {
        name: id.to_owned(),
        base: base.to_owned(),
        status: None,
    };
    match text_of("type") {
        Some("view") => {
            let base = text_of("base").ok_or_else(|| {
                Problem::error(&[path, "base"], "a view needs `base`: a dataset id")
            })?;
            Ok(Definition::View(object(base)))
        }
        None | Some("model") | Some("dataset") => {
            let base = text_of("base_sql_table")
                .or_else(|| text_of("base_sql_query"))
                .ok_or_else(|| {
                    Problem::error(
                        &[path],
                        "a dataset needs `base_sql_table` or `base_sql_query`",
                    )
                })?;
            Ok(Definition::Dataset(object(base)))
        }
        Some(other) => Err(Problem::error(
            &[path, "type"],
            format!("unknown type {other:?} (a view has `type: view`; a dataset has no type)"),
        )),
    }
}

impl ProjectFiles {
    /// Ids are unique per kind, and every view's base is a dataset of the archive.
    fn check_references(&mut self) {
        let mut problems = Vec::new();
        for (kind, objects) in [("dataset", &self.datasets), ("view", &self.views)] {
            let mut seen = BTreeSet::new();
            for object in objects.iter() {
                if !seen.insert(object.name.as_str()) {
                    let message = format!("{kind} id {:?} is defined twice", object.name);
                    problems.push(Problem::error(&[&object.name], message));
                }
            }
        }
        let datasets: BTreeSet<&str> = self.datasets.iter().map(|d| d.name.as_str()).collect();
        for view in &self.views {
            if !datasets.contains(view.base.as_str()) {
                let message = format!(
                    "view {:?} is based on {:?}, which is not a dataset of the project",
                    view.name, view.base
                );
                problems.push(Problem::error(&[&view.name, "base"], message));
            }
        }
        self.problems.extend(problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> (String, Vec<u8>) {
        (path.to_owned(), text.as_bytes().to_vec())
    }

    #[test]
    fn datasets_views_and_skipped_files() {
        let found = read(&[
            file(
                "orders.yml",
                "id: orders\nbase_sql_table: dev.sales.orders\n",
            ),
            file(
                "views/overview.yaml",
                "id: overview\ntype: view\nbase: orders\n",
            ),
            file("README.md", "# notes"),
            file(".hidden/x.yml", "id: x"),
        ]);
        assert_eq!(found.datasets[0].name, "orders");
        assert_eq!(found.views[0].base, "orders");
        assert_eq!(found.skipped.len(), 2);
        assert!(found.problems.is_empty());
    }

    #[test]
    fn problems_name_their_file_and_key() {
        let found = read(&[
            file("a.yml", "id: a\n"),
            file("b.yml", "base_sql_table: t\n"),
            file("c.yml", "id: [unclosed\n"),
            file("v.yml", "id: v\ntype: view\nbase: nowhere\n"),
        ]);
        let causes: Vec<String> = found.problems.iter().map(|p| p.cause.join(".")).collect();
        assert!(causes.contains(&"a.yml".to_owned()), "{causes:?}");
        assert!(causes.contains(&"b.yml.id".to_owned()), "{causes:?}");
        assert!(causes.contains(&"c.yml".to_owned()), "{causes:?}");
        assert!(causes.contains(&"v.base".to_owned()), "{causes:?}");
        assert!(found.problems.iter().all(Problem::blocks));
        assert!(read(&[file("notes.txt", "x")]).problems[0].severity == "fatal");
    }
}
