//! Cursor pagination: the page type every list returns, and a walker that fetches pages lazily with
//! caps on pages, items and time, and says why it stopped and where to continue.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::error::HexError;
use crate::tolerant::{SkippedItem, Tolerant};
use crate::wire::Extra;

/// One page of a cursor list: `{values, pagination: {after, before}}`. Items are read one by
/// one: an item that does not read is left out of `values` and listed in `skipped`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    from = "RawPage<T>",
    bound(deserialize = "T: DeserializeOwned")
)]
pub struct Page<T> {
    /// The items of this page that read.
    pub values: Vec<T>,
    /// The items that did not read (malformed), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedItem>,
    /// Cursors to the neighbouring pages.
    #[serde(default)]
    pub pagination: Pagination,
    /// Other top-level fields (e.g. `traceId` on some lists).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A page as Hex sends it; the list key is `values` (threads, topics and messages have their
/// own, see `api::threads`).
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned"))]
struct RawPage<T> {
    values: Tolerant<T>,
    #[serde(default)]
    pagination: Pagination,
    #[serde(flatten)]
    extra: Extra,
}

impl<T> From<RawPage<T>> for Page<T> {
    fn from(raw: RawPage<T>) -> Self {
        Page::read(raw.values, raw.pagination, raw.extra)
    }
}

impl<T> Page<T> {
    /// A page from a list read item by item.
    pub(crate) fn read(list: Tolerant<T>, pagination: Pagination, extra: Extra) -> Self {
        Page {
            values: list.items,
            skipped: list.skipped,
            pagination,
            extra,
        }
    }
}

/// Cursors. `after: None` means this is the last page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Pass as `after` to get the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Pass as `before` to get the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Caps for a walk over pages. `None` means no cap of that kind.
#[derive(Debug, Clone, PartialEq)]
pub struct PageCaps {
    /// Stop after this many pages.
    pub max_pages: Option<u32>,
    /// Stop after this many items. Page sizes are shrunk to land on it exactly, so the cursor to
    /// continue from skips nothing.
    pub max_items: Option<u64>,
    /// Stop when this much time has passed since the first fetch (a page in flight is abandoned).
    pub max_elapsed: Option<Duration>,
    /// Items per request (Hex's `limit`); `None` uses the list's largest allowed size.
    pub page_size: Option<u32>,
}

impl Default for PageCaps {
    /// 20 pages, 60 s, largest page size, no item cap.
    fn default() -> Self {
        Self {
            max_pages: Some(20),
            max_items: None,
            max_elapsed: Some(Duration::from_secs(60)),
            page_size: None,
        }
    }
}

impl PageCaps {
    /// Caps the number of items.
    #[must_use]
    pub fn items(mut self, max_items: u64) -> Self {
        self.max_items = Some(max_items);
        self
    }

    /// Caps the number of pages.
    #[must_use]
    pub fn pages(mut self, max_pages: u32) -> Self {
        self.max_pages = Some(max_pages);
        self
    }

    /// Caps the elapsed time.
    #[must_use]
    pub fn elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = Some(max_elapsed);
        self
    }

    /// Sets the page size.
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }
}

/// Why a walk stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Hex said there are no more pages.
    Exhausted,
    /// The page cap was reached.
    MaxPages,
    /// The item cap was reached.
    MaxItems,
    /// The time cap was reached.
    Deadline,
    /// A fetch failed (the error was returned); the cursor is the page that failed.
    Error,
}

impl StopReason {
    /// Whether more items may exist beyond where the walk stopped.
    pub fn is_partial(self) -> bool {
        self != Self::Exhausted
    }
}

/// What a page request asks for: the cursor to start after and the page size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Hex's `after` cursor (`None` for the first page).
    pub after: Option<String>,
    /// Hex's `limit`.
    pub limit: u32,
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, HexError>> + Send>>;
type Fetch<T> = Box<dyn FnMut(PageRequest) -> PageFuture<T> + Send>;

/// Walks a cursor list lazily, one request per [`Paginator::next_page`]. Nothing is collected unless
/// asked ([`Paginator::collect_items`], bounded by the caps).
pub struct Paginator<T> {
    fetch: Fetch<T>,
    caps: PageCaps,
    max_page_size: u32,
    cursor: Option<String>,
    started: Option<Instant>,
    pages: u32,
    items: u64,
    stopped: Option<StopReason>,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("caps", &self.caps)
            .field("cursor", &self.cursor)
            .field("pages", &self.pages)
            .field("items", &self.items)
            .field("stopped", &self.stopped)
            .finish_non_exhaustive()
    }
}

/// Items gathered by [`Paginator::collect_items`], with where and why the walk stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// The items that did not read, their `index` counted across the whole walk.
    pub skipped: Vec<SkippedItem>,
    /// Why the walk stopped.
    pub stop: StopReason,
    /// The cursor to continue from (`None` when exhausted).
    pub next_cursor: Option<String>,
}

impl<T: Send + 'static> Paginator<T> {
    /// A walker starting after `start` (`None`: the first page). `max_page_size` is the list's
    /// largest `limit` (100, or 500 for groups and users). `fetch` performs one request.
    pub fn new<F, Fut>(
        caps: PageCaps,
        start: Option<String>,
        max_page_size: u32,
        mut fetch: F,
    ) -> Self
    where
        F: FnMut(PageRequest) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, HexError>> + Send + 'static,
    {
        Self {
            fetch: Box::new(move |request| Box::pin(fetch(request))),
            caps,
            max_page_size: max_page_size.max(1),
            cursor: start,
            started: None,
            pages: 0,
            items: 0,
            stopped: None,
        }
    }

    /// Fetches the next page, or `None` once the walk has stopped (see [`Paginator::stop_reason`]).
    /// An error is returned once and stops the walk; [`Paginator::next_cursor`] then points at the
    /// page that failed, so a new walk can resume there.
    pub async fn next_page(&mut self) -> Option<Result<Page<T>, HexError>> {
        if self.stopped.is_some() {
            return None;
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        if let Some(reason) = self.cap_reached(started) {
            self.stopped = Some(reason);
            return None;
        }
        let request = PageRequest {
            after: self.cursor.clone(),
            limit: self.next_limit(),
        };
        let fetch = (self.fetch)(request);
        let result = match self.caps.max_elapsed {
            Some(max) => match tokio::time::timeout_at(started + max, fetch).await {
                Ok(result) => result,
                Err(_) => {
                    self.stopped = Some(StopReason::Deadline);
                    return None;
                }
            },
            None => fetch.await,
        };
        Some(self.record(result))
    }

    fn cap_reached(&self, started: Instant) -> Option<StopReason> {
        if self.caps.max_pages.is_some_and(|max| self.pages >= max) {
            return Some(StopReason::MaxPages);
        }
        if self.caps.max_items.is_some_and(|max| self.items >= max) {
            return Some(StopReason::MaxItems);
        }
        if self
            .caps
            .max_elapsed
            .is_some_and(|max| started.elapsed() >= max)
        {
            return Some(StopReason::Deadline);
        }
        None
    }

    fn next_limit(&self) -> u32 {
        let size = self
            .caps
            .page_size
            .unwrap_or(self.max_page_size)
            .clamp(1, self.max_page_size);
        match self.caps.max_items {
            Some(max) => u32::try_from(max.saturating_sub(self.items))
                .map_or(size, |left| size.min(left.max(1))),
            None => size,
        }
    }

    fn record(&mut self, result: Result<Page<T>, HexError>) -> Result<Page<T>, HexError> {
        let page = match result {
            Ok(page) => page,
            Err(err) => {
                self.stopped = Some(StopReason::Error);
                return Err(err);
            }
        };
        self.pages += 1;
        self.items += page.values.len() as u64;
        let next = page.pagination.after.clone();
        // No cursor, or the same cursor again (a server bug that would loop): nothing more to read.
        if next.is_none() || next == self.cursor {
            self.stopped = Some(StopReason::Exhausted);
            self.cursor = None;
        } else {
            self.cursor = next;
        }
        Ok(page)
    }

    /// Why the walk stopped, once it has.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stopped
    }

    /// The cursor the next request would use: pass it as `after` to continue later.
    /// `None` when the list is exhausted (or before the first page of a walk from the start).
    pub fn next_cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// Items fetched so far.
    pub fn items_fetched(&self) -> u64 {
        self.items
    }

    /// The pages as a `Stream`, borrowing the walker so its stop reason and cursor stay readable
    /// after the stream ends.
    pub fn stream(&mut self) -> impl Stream<Item = Result<Page<T>, HexError>> + Send + '_ {
        futures::stream::unfold(self, |walker| async move {
            walker.next_page().await.map(|page| (page, walker))
        })
    }

    /// Gathers the items of every page until a cap or the end. Bounded only by the caps: set
    /// `max_items` or `max_pages` when the list may be large.
    pub async fn collect_items(mut self) -> Result<Collected<T>, HexError> {
        let mut items = Vec::new();
        let mut skipped = Vec::new();
        while let Some(page) = self.next_page().await {
            let page = page?;
            let offset = items.len() + skipped.len();
            skipped.extend(page.skipped.into_iter().map(|mut item| {
                item.index += offset;
                item
            }));
            items.extend(page.values);
        }
        let stop = self.stopped.unwrap_or(StopReason::Exhausted);
        Ok(Collected {
            items,
            skipped,
            stop,
            next_cursor: self.cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures::StreamExt;

    use super::*;

    /// A fake list of `total` numbers, cursors are the next index as a string.
    fn walker(total: u32, caps: PageCaps, seen: Arc<Mutex<Vec<PageRequest>>>) -> Paginator<u32> {
        Paginator::new(caps, None, 10, move |request: PageRequest| {
            seen.lock().unwrap().push(request.clone());
            async move {
                let start: u32 = request.after.as_deref().map_or(0, |c| c.parse().unwrap());
                let end = (start + request.limit).min(total);
                let after = (end < total).then(|| end.to_string());
                Ok(Page {
                    values: (start..end).collect(),
                    skipped: Vec::new(),
                    pagination: Pagination {
                        after,
                        ..Default::default()
                    },
                    extra: Extra::new(),
                })
            }
        })
    }

    #[tokio::test]
    async fn walks_to_the_end() {
        let seen = Arc::new(Mutex::new(vec![]));
        let collected = walker(25, PageCaps::default(), seen.clone())
            .collect_items()
            .await
            .unwrap();
        assert_eq!(collected.items, (0..25).collect::<Vec<_>>());
        assert_eq!(
            (collected.stop, collected.next_cursor),
            (StopReason::Exhausted, None)
        );
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn stops_at_max_pages_with_the_cursor_to_continue() {
        let seen = Arc::new(Mutex::new(vec![]));
        let mut walker = walker(100, PageCaps::default().pages(2), seen);
        let pages: Vec<_> = walker.stream().collect().await;
        assert_eq!(pages.len(), 2);
        assert_eq!(walker.stop_reason(), Some(StopReason::MaxPages));
        assert_eq!(walker.next_cursor(), Some("20"));
        assert!(walker.stop_reason().unwrap().is_partial());
    }

    #[tokio::test]
    async fn max_items_shrinks_the_last_page_to_land_exactly() {
        let seen = Arc::new(Mutex::new(vec![]));
        let collected = walker(100, PageCaps::default().items(13), seen.clone())
            .collect_items()
            .await
            .unwrap();
        assert_eq!(collected.items.len(), 13);
        assert_eq!(
            (collected.stop, collected.next_cursor.as_deref()),
            (StopReason::MaxItems, Some("13"))
        );
        let limits: Vec<u32> = seen.lock().unwrap().iter().map(|r| r.limit).collect();
        assert_eq!(limits, vec![10, 3]);
    }

    #[tokio::test]
    async fn deadline_abandons_a_slow_page() {
        let mut walker = Paginator::new(
            PageCaps::default().elapsed(Duration::from_millis(50)),
            None,
            10,
            |_| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(Page::<u32> {
                    values: vec![],
                    skipped: Vec::new(),
                    pagination: Pagination::default(),
                    extra: Extra::new(),
                })
            },
        );
        assert!(walker.next_page().await.is_none());
        assert_eq!(walker.stop_reason(), Some(StopReason::Deadline));
    }

    #[tokio::test]
    async fn an_error_stops_the_walk_at_the_failing_cursor() {
        let mut walker = Paginator::new(PageCaps::default(), Some("c7".into()), 10, |_| async {
            Err::<Page<u32>, _>(HexError::invalid_input("boom"))
        });
        assert!(matches!(walker.next_page().await, Some(Err(_))));
        assert!(walker.next_page().await.is_none());
        assert_eq!(
            (walker.stop_reason(), walker.next_cursor()),
            (Some(StopReason::Error), Some("c7"))
        );
    }
}
