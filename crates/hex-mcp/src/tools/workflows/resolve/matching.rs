//! Matching pasted titles (or an app link's slug) against project titles, tallied across the
//! pages of a walk: the best level with a match decides, and more than one match there is an
//! ambiguity to show, not a guess to make.

use hex_client::api::projects::Project;

use super::pasted::slug_key;

/// The most candidates kept per level; the count goes on.
pub const MAX_CANDIDATES: usize = 10;

/// How well a title matches, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The title as pasted (surrounding spaces aside), or the slug equal to the title's.
    Exact,
    /// The same letters in another case.
    IgnoringCase,
    /// The title starts with what was pasted (any case), or with the slug.
    Prefix,
}

/// What is looked for.
#[derive(Debug)]
pub enum Wanted {
    Title { exact: String, lower: String },
    Slug { key: String },
}

impl Wanted {
    pub fn title(text: &str) -> Wanted {
        let exact = text.trim().to_string();
        let lower = exact.to_lowercase();
        Wanted::Title { exact, lower }
    }

    /// `None` when the slug has nothing left to compare (only punctuation).
    pub fn slug(slug: &str) -> Option<Wanted> {
        let key = slug_key(slug);
        (!key.is_empty()).then_some(Wanted::Slug { key })
    }

    pub fn level(&self, title: &str) -> Option<Level> {
        match self {
            Wanted::Title { exact, lower } => {
                let title = title.trim();
                if title == exact {
                    return Some(Level::Exact);
                }
                let title = title.to_lowercase();
                if title == *lower {
                    Some(Level::IgnoringCase)
                } else {
                    title.starts_with(lower.as_str()).then_some(Level::Prefix)
                }
            }
            Wanted::Slug { key } => {
                let title = slug_key(title);
                if title == *key {
                    Some(Level::Exact)
                } else {
                    title.starts_with(key.as_str()).then_some(Level::Prefix)
                }
            }
        }
    }

    /// How a match at `level` is named in the answer's `matched_by`.
    pub fn matched_by(&self, level: Level) -> &'static str {
        match (self, level) {
            (Wanted::Title { .. }, Level::Exact) => "title",
            (Wanted::Title { .. }, Level::IgnoringCase) => "title_ignoring_case",
            (Wanted::Title { .. }, Level::Prefix) => "title_prefix",
            (Wanted::Slug { .. }, Level::Prefix) => "link_slug_prefix",
            (Wanted::Slug { .. }, _) => "link_slug",
        }
    }
}

/// The matches at one level: the first few projects and how many there were.
#[derive(Debug, Default)]
pub struct Found {
    pub projects: Vec<Project>,
    pub count: usize,
}

/// The matches of a walk so far, per level.
#[derive(Debug, Default)]
pub struct Tally {
    levels: [Found; 3],
    pub compared: usize,
}

impl Tally {
    pub fn add(&mut self, wanted: &Wanted, project: Project) {
        self.compared += 1;
        let Some(level) = wanted.level(&project.title) else {
            return;
        };
        let index = match level {
            Level::Exact => 0,
            Level::IgnoringCase => 1,
            Level::Prefix => 2,
        };
        if let Some(found) = self.levels.get_mut(index) {
            found.count += 1;
            if found.projects.len() < MAX_CANDIDATES {
                found.projects.push(project);
            }
        }
    }

    /// The best level with a match, and its matches.
    pub fn best(self) -> Option<(Level, Found)> {
        [Level::Exact, Level::IgnoringCase, Level::Prefix]
            .into_iter()
            .zip(self.levels)
            .find(|(_, found)| found.count > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(title: &str) -> Project {
        serde_json::from_value(serde_json::json!({
            "id": format!("id-{title}"), "title": title, "type": "PROJECT",
            "creator": {"email": "a@example.com"}, "owner": {"email": "a@example.com"},
            "lastEditedAt": "2026-01-01T00:00:00Z", "createdAt": "2026-01-01T00:00:00Z",
        }))
        .unwrap()
    }

    fn best(wanted: &Wanted, titles: &[&str]) -> Option<(Level, Vec<String>)> {
        let mut tally = Tally::default();
        for title in titles {
            tally.add(wanted, project(title));
        }
        tally
            .best()
            .map(|(level, found)| (level, found.projects.into_iter().map(|p| p.title).collect()))
    }

    #[test]
    fn an_exact_title_wins_over_case_and_prefix_matches() {
        let wanted = Wanted::title(" Revenue ");
        let titles = ["revenue", "Revenue by region", "Revenue", "Costs"];
        assert_eq!(
            best(&wanted, &titles),
            Some((Level::Exact, vec!["Revenue".to_string()]))
        );
        let titles = ["revenue", "Revenue by region"];
        assert_eq!(
            best(&wanted, &titles),
            Some((Level::IgnoringCase, vec!["revenue".to_string()]))
        );
        let titles = ["Revenue by region", "revenue 2026", "Costs"];
        assert_eq!(best(&wanted, &titles).unwrap().1.len(), 2);
        assert_eq!(best(&wanted, &["Costs"]), None);
    }

    #[test]
    fn a_slug_matches_titles_by_their_words() {
        let wanted = Wanted::slug("Q3-revenue-draft").unwrap();
        assert_eq!(
            best(
                &wanted,
                &["Q3 Revenue (draft)", "Q3 revenue draft v2", "Q4"]
            ),
            Some((Level::Exact, vec!["Q3 Revenue (draft)".to_string()]))
        );
        assert_eq!(
            best(&wanted, &["Q3 revenue draft v2"]).unwrap().0,
            Level::Prefix
        );
        assert!(Wanted::slug("--").is_none());
    }

    #[test]
    fn candidates_are_capped_but_counted() {
        let wanted = Wanted::title("Same");
        let mut tally = Tally::default();
        for _ in 0..MAX_CANDIDATES + 5 {
            tally.add(&wanted, project("Same"));
        }
        let (_, found) = tally.best().unwrap();
        assert_eq!(found.projects.len(), MAX_CANDIDATES);
        assert_eq!(found.count, MAX_CANDIDATES + 5);
    }
}
