//! Hex's vocabularies as tool inputs: the schema lists the values, parsing forgives case.

use crate::input::input_enum;
use hex_client::api::{
    SortDirection as WireSortDirection, sharing::AccessLevel as WireAccessLevel,
};

input_enum!(
    /// `AccessLevelEnum`.
    AccessLevel: WireAccessLevel { NoAccess, AppOnly, CanView, CanEdit, FullAccess }
);

input_enum!(
    /// `SortDirectionEnum`.
    SortDirection: WireSortDirection { Desc, Asc }
);

/// Hex's page-size bounds, as the client states them: the tools' `limit` bounds and clamps.
pub use hex_client::api::{MAX_LARGE_PAGE_SIZE, MAX_PAGE_SIZE, threads::MAX_MESSAGES_PAGE_SIZE};
