//! The bounded walk of an audit: pages of ListProjects with each project's sharing, at most
//! `limit` projects and the search caps' pages and time per call, with the cursor to continue
//! from. A page whose look-ups cannot be made now (a spent quota) is left for the next call.

use std::time::Instant;

use hex_client::api::projects::{ListProjectsParams, Project};
use serde_json::{Map, Value, json};

use crate::{
    context::ToolContext,
    errors::ToolError,
    tools::common::{SkippedInWalk, insert_skipped},
};

pub struct Pages<'a> {
    ctx: &'a ToolContext,
    base: ListProjectsParams,
    limit: usize,
    /// The cursor of the next page (`None` before the first page means the start).
    after: Option<String>,
    /// The cursor the last page was fetched with, to fetch it again after a halt.
    current: Option<String>,
    last_len: usize,
    pages: u32,
    started: Instant,
    done: bool,
    examined: usize,
    stopped: Option<String>,
    skipped: SkippedInWalk,
}

impl<'a> Pages<'a> {
    pub fn new(
        ctx: &'a ToolContext,
        base: ListProjectsParams,
        after: Option<String>,
        limit: usize,
    ) -> Pages<'a> {
        Pages {
            ctx,
            base,
            limit,
            after,
            current: None,
            last_len: 0,
            pages: 0,
            started: Instant::now(),
            done: false,
            examined: 0,
            stopped: None,
            skipped: SkippedInWalk::default(),
        }
    }

    /// The next page's projects, or `None` at the end or at a cap. A failure of the first page
    /// is the call's error; of a later one, the end of this call's walk (what was read stands).
    pub async fn next(&mut self) -> Result<Option<Vec<Project>>, ToolError> {
        if self.done || self.stopped.is_some() {
            return Ok(None);
        }
        let caps = self.ctx.limits();
        let left = self.limit.saturating_sub(self.examined);
        if left == 0 {
            return Ok(None);
        }
        if self.pages >= caps.search_pages || self.started.elapsed() >= caps.search_time {
            self.stopped = Some(format!(
                "this call's page and time limits were reached after {} projects",
                self.examined
            ));
            return Ok(None);
        }
        let size = u32::try_from(left.min(hex_client::api::MAX_PAGE_SIZE as usize)).unwrap_or(1);
        let params = ListProjectsParams {
            include_sharing: true,
            limit: Some(size),
            after: self.after.clone(),
            ..self.base.clone()
        };
        let page = match self.ctx.hex()?.projects().list(&params).await {
            Ok(page) => page,
            Err(error) if self.pages == 0 => return Err(error.into()),
            Err(error) => {
                self.stopped = Some(format!("reading the next page failed: {error}"));
                return Ok(None);
            }
        };
        self.pages += 1;
        self.skipped.page(&page);
        self.current = self.after.take();
        self.after = page.pagination.after;
        self.done = self.after.is_none();
        self.last_len = page.values.len();
        self.examined += page.values.len();
        Ok(Some(page.values))
    }

    /// Leaves the last page for the next call, for `why`.
    pub fn halt(&mut self, why: String) {
        self.examined -= self.last_len;
        self.after = self.current.take();
        self.done = false;
        self.stopped = Some(why);
    }

    /// `examined`, and `stopped_early` with `continue_with: {after}` when there is more.
    pub fn finish(self, answer: &mut Map<String, Value>) {
        answer.insert("examined".into(), json!(self.examined));
        insert_skipped(answer, self.skipped.items());
        if let Some(why) = &self.stopped {
            answer.insert("stopped_early".into(), json!(why));
        }
        if !self.done {
            answer.insert("continue_with".into(), json!({"after": self.after}));
        }
    }
}
