//! Small helpers every area uses.

use hex_client::{Page, Pagination};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{errors::ToolError, output::to_output};

/// `{values, pagination: {after, before}}`: the shape of every list answer, with the cursor to
/// continue from (`after: null`, pruned, means the last page).
pub fn page_output<T, U: Serialize>(
    page: Page<T>,
    shape: impl Fn(T) -> U,
) -> Result<Value, ToolError> {
    let values: Vec<U> = page.values.into_iter().map(shape).collect();
    Ok(json!({
        "values": to_output(&values)?,
        "pagination": pagination_output(&page.pagination),
    }))
}

pub fn pagination_output(pagination: &Pagination) -> Value {
    json!({ "after": pagination.after, "before": pagination.before })
}
