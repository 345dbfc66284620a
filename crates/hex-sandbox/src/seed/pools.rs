//! The fixed word pools the seed draws from: names, titles, SQL and Python sources.

use crate::state::{Category, InputDataType, InputParam};

pub(super) const FIRST_NAMES: &[&str] = &[
    "Alex", "Priya", "Marcus", "Sofia", "Daniel", "Aisha", "Tomás", "Hannah", "Kenji", "Olivia",
    "Rahul", "Emma", "Lucas", "Chloe", "Noah", "Fatima", "Ethan", "Mei", "Jonas", "Isabel", "Omar",
    "Grace", "Mateo", "Leah", "Samuel", "Yuki", "Gabriel", "Nora", "Victor", "Amara", "Felix",
    "Ingrid", "Diego", "Zara", "Henry", "Lena", "Arjun", "Clara", "Owen", "Maya",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Morgan",
    "Patel",
    "Okafor",
    "Rossi",
    "Kim",
    "Haddad",
    "García",
    "Schmidt",
    "Tanaka",
    "Brown",
    "Sharma",
    "Dubois",
    "Silva",
    "Nguyen",
    "Walsh",
    "Rahman",
    "Cohen",
    "Chen",
    "Berg",
    "Moreno",
    "Farouk",
    "Lee",
    "Fernández",
    "Klein",
    "Adeyemi",
    "Sato",
    "Costa",
    "Lindqvist",
    "Novak",
    "Mensah",
    "Weber",
    "Larsen",
    "Ramos",
    "Ali",
    "Fischer",
    "Wagner",
    "Iyer",
    "Martin",
    "Byrne",
    "Levi",
];

pub(super) const EMAIL_DOMAIN: &str = "acme.example";

/// Departments and the projects each one keeps.
pub(super) const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "Finance",
        &[
            "Revenue dashboard",
            "Monthly close checklist",
            "Budget vs actuals",
            "Cash flow forecast",
            "ARR bridge",
            "Expense anomalies",
        ],
    ),
    (
        "Marketing",
        &[
            "Campaign funnel",
            "Attribution model",
            "Web traffic overview",
            "Lead scoring",
            "Email engagement",
            "Paid social ROI",
        ],
    ),
    (
        "Sales",
        &[
            "Pipeline review",
            "Quota attainment",
            "Win/loss analysis",
            "Territory planning",
            "Forecast accuracy",
        ],
    ),
    (
        "Engineering",
        &[
            "On-call metrics",
            "Deploy frequency",
            "Incident postmortems",
            "CI build times",
            "Error budget tracker",
        ],
    ),
    (
        "Product",
        &[
            "Feature adoption",
            "Retention cohorts",
            "Activation funnel",
            "NPS trends",
            "Experiment results",
        ],
    ),
    (
        "Operations",
        &[
            "Fulfillment SLAs",
            "Inventory levels",
            "Supplier scorecard",
            "Warehouse throughput",
        ],
    ),
    (
        "Customer Success",
        &[
            "Churn risk",
            "Support ticket volume",
            "Account health scores",
            "Renewal tracker",
        ],
    ),
    (
        "People",
        &["Headcount plan", "Hiring funnel", "Attrition analysis"],
    ),
    (
        "Data",
        &[
            "Data quality monitor",
            "dbt model freshness",
            "Warehouse cost explorer",
        ],
    ),
];

/// Added to titles once every department/topic pair is used, as real workspaces fork reports.
pub(super) const TITLE_SUFFIXES: &[&str] = &[
    " (EMEA)",
    " (APAC)",
    " (North America)",
    " - 2025",
    " - 2026",
    " v2",
    " - draft",
    " (copy)",
    " - weekly",
    " - exec view",
];

pub(super) const DESCRIPTIONS: &[&str] = &[
    "Refreshed every morning from the warehouse.",
    "Owned by the analytics team; ask in #data-help before changing queries.",
    "Source of truth for the monthly business review.",
    "Exploratory analysis, numbers not yet reconciled.",
    "Used in the weekly leadership sync.",
];

pub(super) static CATEGORIES: [Category; 9] = [
    Category {
        name: "Finance",
        description: Some("Financial reporting and planning"),
    },
    Category {
        name: "Marketing",
        description: Some("Campaigns, attribution and growth"),
    },
    Category {
        name: "Sales",
        description: Some("Pipeline and revenue operations"),
    },
    Category {
        name: "Engineering",
        description: Some("Reliability and delivery metrics"),
    },
    Category {
        name: "Product",
        description: Some("Usage, adoption and experiments"),
    },
    Category {
        name: "Operations",
        description: None,
    },
    Category {
        name: "Customer Success",
        description: None,
    },
    Category {
        name: "Executive",
        description: Some("Board and leadership reporting"),
    },
    Category {
        name: "Certified",
        description: Some("Reviewed by the data team"),
    },
];

/// Project statuses defined in the seeded workspace ("Approved" is the endorsement).
pub(crate) const STATUSES: &[&str] = &[
    "Exploratory",
    "In development",
    "Published",
    "Approved",
    "Deprecated",
];

/// Inputs a published app can expose. The cell-type names are guesses (see docs/GUESSES.md).
pub(super) static INPUTS: [InputParam; 7] = [
    InputParam {
        name: "start_date",
        data_type: InputDataType::Date,
        input_cell_type: "DATE_INPUT",
    },
    InputParam {
        name: "end_date",
        data_type: InputDataType::Date,
        input_cell_type: "DATE_INPUT",
    },
    InputParam {
        name: "region",
        data_type: InputDataType::String,
        input_cell_type: "TEXT_INPUT",
    },
    InputParam {
        name: "segment",
        data_type: InputDataType::String,
        input_cell_type: "TEXT_INPUT",
    },
    InputParam {
        name: "min_revenue",
        data_type: InputDataType::Number,
        input_cell_type: "NUMBER_INPUT",
    },
    InputParam {
        name: "top_n",
        data_type: InputDataType::Number,
        input_cell_type: "NUMBER_INPUT",
    },
    InputParam {
        name: "include_test_accounts",
        data_type: InputDataType::Boolean,
        input_cell_type: "CHECKBOX",
    },
];

pub(super) const GROUPS: &[&str] = &[
    "Data Team",
    "Finance",
    "Marketing",
    "Engineering",
    "Leadership",
    "Analytics Engineers",
];

pub(super) const COLLECTIONS: &[(&str, &str)] = &[
    (
        "Executive dashboards",
        "Curated apps for the leadership team",
    ),
    ("Finance reporting", "Close, budget and revenue reporting"),
    ("Marketing analytics", "Campaign and funnel analysis"),
    ("Engineering metrics", "Delivery and reliability dashboards"),
    ("Data team sandbox", "Work in progress from the data team"),
];

pub(super) const TIMEZONES: &[&str] = &["+00:00", "-05:00", "-08:00", "+01:00", "+05:30", "+09:00"];

pub(super) const DAYS: &[&str] = &[
    "SUNDAY",
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
];

pub(super) const CRONS: &[&str] = &["0 6 * * 1-5", "30 7 1,15 * *", "0 */4 * * *"];

pub(super) const MARKDOWN: &[&str] = &[
    "## Overview\n\nThis notebook answers one question per section. Inputs at the top drive every query.",
    "# Read me first\n\nNumbers are in USD and exclude internal test accounts unless the checkbox is set.",
    "## Methodology\n\nRevenue is recognised at invoice date; refunds are netted in the month they occur.",
    "### Notes\n\n- Source tables refresh nightly at 02:00 UTC\n- Ping #data-help with questions",
    "## Summary\n\nThe charts below compare the current period with the same period last year.",
];

/// (label, output dataframe, SQL source).
pub(super) const SQL: &[(&str, &str, &str)] = &[
    (
        "Monthly revenue",
        "monthly_revenue",
        "SELECT date_trunc('month', o.ordered_at) AS month,\n       SUM(o.amount_usd) AS revenue,\n       COUNT(DISTINCT o.customer_id) AS customers\nFROM dev.sales.orders AS o\nWHERE o.status = 'complete'\nGROUP BY 1\nORDER BY 1",
    ),
    (
        "Orders by region",
        "orders_by_region",
        "SELECT c.region, COUNT(*) AS orders, SUM(o.amount_usd) AS revenue\nFROM dev.sales.orders AS o\nJOIN dev.sales.customers AS c ON c.id = o.customer_id\nGROUP BY c.region\nORDER BY revenue DESC",
    ),
    (
        "Funnel steps",
        "funnel",
        "SELECT step, COUNT(DISTINCT session_id) AS sessions\nFROM analytics.marketing.funnel_events\nWHERE event_date >= CURRENT_DATE - INTERVAL '30 days'\nGROUP BY step\nORDER BY MIN(step_order)",
    ),
    (
        "Active users",
        "active_users",
        "SELECT event_date, COUNT(DISTINCT user_id) AS dau\nFROM analytics.product.events\nWHERE event_date >= CURRENT_DATE - 90\nGROUP BY 1\nORDER BY 1",
    ),
    (
        "Open incidents",
        "incidents",
        "SELECT severity, service, opened_at, resolved_at,\n       DATEDIFF('minute', opened_at, resolved_at) AS minutes_to_resolve\nFROM prod.engineering.incidents\nWHERE opened_at >= DATEADD('day', -30, CURRENT_DATE)",
    ),
    (
        "Pipeline by stage",
        "pipeline",
        "SELECT stage, COUNT(*) AS deals, SUM(amount) AS pipeline_usd\nFROM dev.crm.opportunities\nWHERE is_closed = FALSE\nGROUP BY stage",
    ),
    (
        "Churned accounts",
        "churned",
        "SELECT account_id, plan, churned_at, mrr_lost\nFROM dev.finance.subscriptions\nWHERE churned_at IS NOT NULL\nORDER BY churned_at DESC\nLIMIT 500",
    ),
    (
        "Spend by team",
        "spend",
        "SELECT cost_center, DATE_TRUNC('month', booked_at) AS month, SUM(amount) AS spend\nFROM dev.finance.expenses\nGROUP BY 1, 2",
    ),
    (
        "Deploys per day",
        "deploys",
        "SELECT DATE(deployed_at) AS day, COUNT(*) AS deploys\nFROM prod.engineering.deployments\nWHERE environment = 'production'\nGROUP BY 1\nORDER BY 1",
    ),
    (
        "Ticket volume",
        "tickets",
        "SELECT DATE_TRUNC('week', created_at) AS week, priority, COUNT(*) AS tickets\nFROM dev.support.tickets\nGROUP BY 1, 2",
    ),
    (
        "Headcount",
        "headcount",
        "SELECT department, COUNT(*) AS employees\nFROM dev.people.employees\nWHERE terminated_at IS NULL\nGROUP BY department",
    ),
    (
        "Stock levels",
        "stock",
        "SELECT sku, warehouse, on_hand, reorder_point\nFROM dev.ops.inventory_snapshots\nWHERE snapshot_date = CURRENT_DATE",
    ),
];

/// (label, Python source).
pub(super) const PYTHON: &[(&str, &str)] = &[
    (
        "Growth rate",
        "monthly_revenue[\"growth\"] = monthly_revenue[\"revenue\"].pct_change()\nmonthly_revenue.tail(12)",
    ),
    (
        "Clean data",
        "import pandas as pd\n\ndf = orders_by_region.dropna()\ndf[\"share\"] = df[\"revenue\"] / df[\"revenue\"].sum()\ndf",
    ),
    (
        "Forecast",
        "from statsmodels.tsa.holtwinters import ExponentialSmoothing\n\nmodel = ExponentialSmoothing(active_users[\"dau\"], trend=\"add\").fit()\nforecast = model.forecast(30)",
    ),
    (
        "Summary stats",
        "summary = incidents.groupby(\"severity\")[\"minutes_to_resolve\"].describe()\nsummary",
    ),
    (
        "Conversion",
        "funnel[\"conversion\"] = funnel[\"sessions\"] / funnel[\"sessions\"].iloc[0]\nfunnel",
    ),
    (
        "Alert check",
        "threshold = 0.05\nalerts = spend[spend[\"spend\"].pct_change() > threshold]\nlen(alerts)",
    ),
];

/// Seeded data connections: (type, name, description).
pub(super) const CONNECTIONS: &[(&str, &str, &str)] = &[
    (
        "snowflake",
        "Snowflake - Analytics warehouse",
        "Main analytics warehouse (read-only role)",
    ),
    (
        "bigquery",
        "BigQuery - Marketing",
        "Marketing events and ad spend",
    ),
    (
        "postgres",
        "Postgres - App replica",
        "Read replica of the product database",
    ),
    (
        "redshift",
        "Redshift - Legacy finance",
        "Finance marts, being migrated to Snowflake",
    ),
];
