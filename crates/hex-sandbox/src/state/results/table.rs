//! The preview a SQL cell's query would give: columns read from its SELECT list (named as the
//! query names them, typed as the connection's warehouse types them) and rows drawn from a
//! random stream seeded by the cell and its source, so the same query always gives the same
//! rows and a changed query gives new ones.

use crate::seed::Rng;
use crate::state::ConnectionType;

/// The most rows a preview holds (Hex does not state its `rowLimit`; see docs/GUESSES.md).
pub(crate) const ROW_LIMIT: u64 = 1_000;

/// What a column holds, which decides its warehouse type and its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Decimal,
    Date,
    Timestamp,
    Boolean,
    Text,
}

/// A query's preview.
pub(crate) struct Table {
    /// (name, warehouse type, kind).
    pub(crate) columns: Vec<(String, &'static str, Kind)>,
    pub(crate) rows: Vec<Vec<Option<String>>>,
    /// `None` when the total is unknown.
    pub(crate) total_rows: Option<u64>,
    pub(crate) total_rows_kind: &'static str,
    pub(crate) truncated: bool,
}

/// The preview of `source`, run on a connection of `warehouse` (`None`: dataframe SQL).
pub(crate) fn preview(source: &str, warehouse: Option<ConnectionType>, seed: u64) -> Table {
    let mut rng = Rng::new(seed);
    let columns: Vec<(String, &'static str, Kind)> = select_columns(source)
        .into_iter()
        .map(|(name, kind)| (name, warehouse_type(warehouse, kind), kind))
        .collect();
    let (mut total, mut kind) = total_rows(&mut rng);
    if let Some(limit) = sql_limit(source) {
        total = Some(total.map_or(limit, |t| t.min(limit)));
        kind = "EXACT";
    }
    let returned = total.map_or(ROW_LIMIT, |t| t.min(ROW_LIMIT));
    let truncated = total.is_none_or(|t| t > ROW_LIMIT);
    let rows = (0..returned)
        .map(|i| {
            columns
                .iter()
                .enumerate()
                .map(|(c, (name, _, kind))| value(&mut rng, name, *kind, i, returned, c))
                .collect()
        })
        .collect();
    Table {
        columns,
        rows,
        total_rows: total,
        total_rows_kind: kind,
        truncated,
    }
}

/// Small results, results that fill the preview, and larger ones counted exactly, as a lower
/// bound or not at all.
fn total_rows(rng: &mut Rng) -> (Option<u64>, &'static str) {
    match rng.below(100) {
        0..=19 => (Some(3 + rng.below(38)), "EXACT"),
        20..=64 => (Some(60 + rng.below(ROW_LIMIT - 59)), "EXACT"),
        65..=89 => (Some(ROW_LIMIT + 1 + rng.below(250_000)), "EXACT"),
        90..=94 => (Some(ROW_LIMIT * 10), "LOWER_BOUND"),
        _ => (None, "UNKNOWN"),
    }
}

/// The tables a query reads: each name after FROM or JOIN, once, in order. Subqueries and
/// names inside parentheses (`EXTRACT(YEAR FROM x)`) are skipped.
pub(crate) fn tables_in(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let words: Vec<&str> = code.split_whitespace().collect();
    let mut tables: Vec<String> = Vec::new();
    for pair in words.windows(2) {
        let [keyword, name] = pair else { continue };
        let reads = keyword.eq_ignore_ascii_case("from") || keyword.eq_ignore_ascii_case("join");
        let name = name.trim_end_matches([',', ';']);
        let plain = !name.is_empty()
            && !name.contains(['(', ')', '\''])
            && name.starts_with(|c: char| c.is_alphabetic() || c == '"' || c == '`');
        if reads && plain && !tables.iter().any(|t| t == name) {
            tables.push(name.to_owned());
        }
    }
    tables
}

/// `LIMIT n` at the end of a query.
fn sql_limit(source: &str) -> Option<u64> {
    let words: Vec<&str> = source.split_whitespace().collect();
    let position = words
        .iter()
        .rposition(|word| word.eq_ignore_ascii_case("limit"))?;
    words.get(position + 1)?.trim_end_matches(';').parse().ok()
}

/// The names and kinds of the SELECT list; `SELECT *` gives a generic table's columns.
pub(crate) fn select_columns(source: &str) -> Vec<(String, Kind)> {
    let upper = source.to_ascii_uppercase();
    let start = upper.find("SELECT").map(|i| i + "SELECT".len());
    let end = upper.find("FROM").or(Some(source.len()));
    let list = match (start, end) {
        (Some(start), Some(end)) if start < end => source.get(start..end).unwrap_or_default(),
        _ => "",
    };
    let mut columns: Vec<(String, Kind)> = split_top_level(list)
        .into_iter()
        .filter_map(|expression| column(expression.trim()))
        .collect();
    if columns.is_empty() || list.trim().ends_with('*') {
        columns = [
            ("id", Kind::Integer),
            ("name", Kind::Text),
            ("created_at", Kind::Timestamp),
            ("amount_usd", Kind::Decimal),
            ("is_active", Kind::Boolean),
        ]
        .into_iter()
        .map(|(name, kind)| (name.to_owned(), kind))
        .collect();
    }
    columns
}

/// Splits on commas outside parentheses.
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(list.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list.get(start..).unwrap_or_default());
    parts
}

/// `expr AS alias` names the column `alias`; a bare `t.col` names it `col`.
fn column(expression: &str) -> Option<(String, Kind)> {
    if expression.is_empty() || expression.ends_with('*') {
        return None;
    }
    let upper = expression.to_ascii_uppercase();
    let name = match upper.rfind(" AS ") {
        Some(i) => expression.get(i + 4..).unwrap_or_default(),
        None => expression
            .rsplit(|c: char| c == '.' || c.is_whitespace())
            .next()
            .unwrap_or(expression),
    };
    let name = name.trim().trim_matches('"').trim_matches('`').to_owned();
    if name.is_empty() {
        return None;
    }
    let kind = kind_of(&upper, &name.to_ascii_lowercase());
    Some((name, kind))
}

fn kind_of(expression: &str, name: &str) -> Kind {
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    let is_id = name == "id" || name.ends_with("_id");
    if expression.contains("COUNT(") || is_id || has(&["minutes", "on_hand", "point", "dau"]) {
        Kind::Integer
    } else if expression.contains("SUM(")
        || expression.contains("AVG(")
        || has(&["amount", "revenue", "usd", "mrr", "spend", "cost", "price"])
    {
        Kind::Decimal
    } else if name.ends_with("_at") {
        Kind::Timestamp
    } else if expression.contains("DATE") || has(&["month", "week", "day", "date"]) {
        Kind::Date
    } else if name.starts_with("is_") || name.starts_with("has_") {
        Kind::Boolean
    } else {
        Kind::Text
    }
}

/// How each warehouse names the kinds (`None`: Hex's dataframe SQL, which is DuckDB).
fn warehouse_type(warehouse: Option<ConnectionType>, kind: Kind) -> &'static str {
    use ConnectionType as W;
    let names: [&'static str; 6] = match warehouse {
        Some(W::Snowflake) => [
            "NUMBER(38,0)",
            "NUMBER(38,2)",
            "DATE",
            "TIMESTAMP_NTZ",
            "BOOLEAN",
            "VARCHAR",
        ],
        Some(W::Bigquery) => ["INT64", "NUMERIC", "DATE", "TIMESTAMP", "BOOL", "STRING"],
        Some(W::Postgres) => ["int8", "numeric", "date", "timestamp", "bool", "text"],
        Some(W::Redshift) => [
            "bigint",
            "numeric(18,2)",
            "date",
            "timestamp",
            "boolean",
            "varchar",
        ],
        _ => [
            "BIGINT",
            "DOUBLE",
            "DATE",
            "TIMESTAMP",
            "BOOLEAN",
            "VARCHAR",
        ],
    };
    let index = match kind {
        Kind::Integer => 0,
        Kind::Decimal => 1,
        Kind::Date => 2,
        Kind::Timestamp => 3,
        Kind::Boolean => 4,
        Kind::Text => 5,
    };
    names.get(index).copied().unwrap_or("VARCHAR")
}

/// Words for text columns, by what the column is called.
const WORDS: &[(&str, &[&str])] = &[
    ("region", &["EMEA", "North America", "APAC", "LATAM"]),
    ("step", &["visit", "signup", "activate", "subscribe"]),
    (
        "stage",
        &["Prospecting", "Discovery", "Proposal", "Negotiation"],
    ),
    ("severity", &["SEV1", "SEV2", "SEV3"]),
    ("service", &["api", "billing", "search", "web"]),
    ("plan", &["Starter", "Team", "Enterprise"]),
    ("priority", &["low", "normal", "high", "urgent"]),
    (
        "department",
        &["Finance", "Sales", "Engineering", "Support", "People"],
    ),
    ("cost_center", &["CC-100", "CC-200", "CC-310", "CC-420"]),
    ("warehouse", &["AMS-1", "NYC-2", "SIN-1"]),
];

/// One value, as Hex sends every value: a string (or null). The first column is never null, so
/// rows keep a key a reader can follow.
fn value(
    rng: &mut Rng,
    name: &str,
    kind: Kind,
    row: u64,
    rows: u64,
    column: usize,
) -> Option<String> {
    if column > 0 && rng.chance(3) {
        return None;
    }
    // Dates run forward to the seed's "now", one step per row, as a time series does, within
    // the last five years.
    let back = i64::try_from(rows.saturating_sub(row)).unwrap_or(0);
    let span = |days: i64| days % (5 * 365);
    Some(match kind {
        Kind::Integer => (rng.below(5_000) + 1).to_string(),
        Kind::Decimal => format!("{}.{:02}", rng.below(250_000), rng.below(100)),
        Kind::Date => date(span(back * step_days(name))),
        Kind::Timestamp => format!(
            "{} {:02}:{:02}:{:02}",
            date(span(back)),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
        Kind::Boolean => rng.chance(50).to_string(),
        Kind::Text => text(rng, name, row),
    })
}

fn step_days(name: &str) -> i64 {
    match name {
        "month" => 30,
        "week" => 7,
        _ => 1,
    }
}

fn text(rng: &mut Rng, name: &str, row: u64) -> String {
    let lower = name.to_ascii_lowercase();
    match WORDS.iter().find(|(key, _)| lower.contains(key)) {
        Some((_, words)) => rng.pick_or(words, "other").to_owned(),
        None => format!("{lower}_{}", row + 1),
    }
}

/// `YYYY-MM-DD`, `days_back` days before 2026-06-01 (the seed's "now").
fn date(days_back: i64) -> String {
    const SEED_DAY: i64 = 20_605;
    i32::try_from(2_440_588 + SEED_DAY - days_back)
        .ok()
        .and_then(|day| time::Date::from_julian_day(day).ok())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "2026-06-01".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_come_from_the_select_list() {
        let sql = "SELECT date_trunc('month', o.ordered_at) AS month,\n SUM(o.amount_usd) AS revenue,\n COUNT(DISTINCT o.customer_id) AS customers, c.region\nFROM dev.sales.orders o";
        let columns = select_columns(sql);
        let names: Vec<(&str, Kind)> = columns.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        assert_eq!(
            names,
            [
                ("month", Kind::Date),
                ("revenue", Kind::Decimal),
                ("customers", Kind::Integer),
                ("region", Kind::Text)
            ]
        );
        assert_eq!(select_columns("select * from t").len(), 5);
    }

    #[test]
    fn previews_are_deterministic_and_honour_limit() {
        let sql = "SELECT account_id, plan FROM dev.finance.subscriptions LIMIT 7";
        let a = preview(sql, Some(ConnectionType::Snowflake), 9);
        let b = preview(sql, Some(ConnectionType::Snowflake), 9);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.total_rows, Some(7));
        assert_eq!(a.rows.len(), 7);
        assert!(!a.truncated);
        assert_eq!(a.columns[0].1, "NUMBER(38,0)");
        assert!(a.rows.iter().all(|row| row[0].is_some()));
        assert_eq!(date(0), "2026-06-01");
    }

    #[test]
    fn tables_are_read_after_from_and_join() {
        let sql = "SELECT EXTRACT(YEAR FROM o.at) FROM dev.sales.orders AS o\nJOIN dev.sales.customers c ON c.id = o.c -- FROM nowhere\nJOIN (SELECT 1) x\nLEFT JOIN dev.sales.orders o2 ON true";
        assert_eq!(tables_in(sql), ["dev.sales.orders", "dev.sales.customers"]);
        assert!(tables_in("select 1").is_empty());
    }
}
