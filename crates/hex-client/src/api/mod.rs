//! Hex's operations, one module per area. Each module holds the typed requests and responses of its
//! operations (Hex's camelCase names) and a handle with one method per operation.

use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::client::HexClient;
use crate::error::HexError;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::wire::{Extra, Query, wire_enum};

pub mod cells;
mod cells_types;
pub mod collections;
mod connection_details;
mod connection_info;
pub mod connections;
mod connections_types;
pub mod embedding;
pub mod groups;
pub mod guides;
pub mod projects;
mod projects_types;
mod results_types;
pub mod runs;
mod runs_types;
pub mod semantic;
pub mod sharing;
mod sharing_types;
pub mod threads;
mod threads_types;
pub mod users;

/// Largest `limit` for most lists (`PageSize`).
pub const MAX_PAGE_SIZE: u32 = 100;
/// Largest `limit` for ListGroups and ListUsers (`LargerPageSize`).
pub const MAX_LARGE_PAGE_SIZE: u32 = 500;

wire_enum! {
    /// `SortDirectionEnum`.
    SortDirection { Desc = "DESC", Asc = "ASC" }
}

/// A reference by id, as sharing and membership writes take it: `{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    /// The referenced object's id.
    pub id: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl IdRef {
    /// A reference to `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            extra: Extra::new(),
        }
    }
}

/// Cursor and size of one page, for lists with no other parameters (e.g. GetQueriedTables).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageParams {
    /// Items per page (1..=100; Hex's default 25).
    pub limit: Option<u32>,
    /// Cursor from a previous page's `pagination.after`.
    pub after: Option<String>,
    /// Cursor from a previous page's `pagination.before`.
    pub before: Option<String>,
}

/// List parameters that carry a cursor and a page size, so one [`Paginator`] serves every list.
pub trait CursorParams: Clone + Send + Sync + 'static {
    /// The `after` cursor the walk starts from.
    fn after(&self) -> Option<&str>;
    /// Points the parameters at the next page (clears `before`).
    fn set_page(&mut self, after: Option<String>, limit: u32);
}

macro_rules! cursor_params {
    ($($name:ty),+ $(,)?) => {$(
        impl $crate::api::CursorParams for $name {
            fn after(&self) -> Option<&str> {
                self.after.as_deref()
            }
            fn set_page(&mut self, after: Option<String>, limit: u32) {
                self.after = after;
                self.before = None;
                self.limit = Some(limit);
            }
        }
    )+};
}
pub(crate) use cursor_params;

cursor_params!(PageParams);

/// Builds a [`Paginator`] that re-issues `call` with each page's cursor.
pub(crate) fn walk<P, T, F, Fut>(
    client: &HexClient,
    params: P,
    caps: PageCaps,
    max_page_size: u32,
    call: F,
) -> Paginator<T>
where
    P: CursorParams,
    T: Send + 'static,
    F: Fn(HexClient, P) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, HexError>> + Send + 'static,
{
    let client = client.clone();
    let start = params.after().map(str::to_owned);
    Paginator::new(caps, start, max_page_size, move |request| {
        let mut params = params.clone();
        params.set_page(request.after, request.limit);
        call(client.clone(), params)
    })
}

/// Refuses a `limit` outside 1..=max before sending.
pub(crate) fn check_limit(limit: Option<u32>, max: u32) -> Result<(), HexError> {
    match limit {
        Some(limit) if limit == 0 || limit > max => Err(HexError::invalid_input(format!(
            "limit must be between 1 and {max} (got {limit})"
        ))),
        _ => Ok(()),
    }
}

/// `limit`, `after`, `before` as query parameters, after checking the limit.
pub(crate) fn cursor_query(
    limit: Option<u32>,
    after: Option<&str>,
    before: Option<&str>,
    max: u32,
) -> Result<Query, HexError> {
    check_limit(limit, max)?;
    Ok(Query::new()
        .opt("limit", limit)
        .opt("after", after)
        .opt("before", before))
}

/// Refuses more than `max` items in one call before sending.
pub(crate) fn check_count(what: &str, count: usize, max: usize) -> Result<(), HexError> {
    if count > max {
        return Err(HexError::invalid_input(format!(
            "at most {max} {what} per call (got {count}); split the list into several calls"
        )));
    }
    Ok(())
}

impl HexClient {
    /// Projects: list, get, create, update status, export, queried tables.
    pub fn projects(&self) -> projects::Projects<'_> {
        projects::Projects { client: self }
    }

    /// Runs: run a project, run status, list runs, cancel, chart images of a run.
    pub fn runs(&self) -> runs::Runs<'_> {
        runs::Runs { client: self }
    }

    /// Cells of a project's draft: list, get, create, update, delete, output, chart image.
    pub fn cells(&self) -> cells::Cells<'_> {
        cells::Cells { client: self }
    }

    /// Project sharing: users, groups, collections, workspace and public web.
    pub fn sharing(&self) -> sharing::Sharing<'_> {
        sharing::Sharing { client: self }
    }

    /// Collections: list, get, create, update.
    pub fn collections(&self) -> collections::Collections<'_> {
        collections::Collections { client: self }
    }

    /// Groups: list, get, create, update, delete.
    pub fn groups(&self) -> groups::Groups<'_> {
        groups::Groups { client: self }
    }

    /// Data connections: list, get, create, update.
    pub fn connections(&self) -> connections::Connections<'_> {
        connections::Connections { client: self }
    }

    /// Users: me, list, deactivate.
    pub fn users(&self) -> users::Users<'_> {
        users::Users { client: self }
    }

    /// Hex's agent: threads, their messages, topics.
    pub fn threads(&self) -> threads::Threads<'_> {
        threads::Threads { client: self }
    }

    /// Draft guides for Hex's agent: list, upsert, delete, publish.
    pub fn guides(&self) -> guides::Guides<'_> {
        guides::Guides { client: self }
    }

    /// Semantic projects: ingest, update statuses.
    pub fn semantic(&self) -> semantic::Semantic<'_> {
        semantic::Semantic { client: self }
    }

    /// Embedding: presigned URLs of published apps.
    pub fn embedding(&self) -> embedding::Embedding<'_> {
        embedding::Embedding { client: self }
    }
}
