//! Hex's vocabularies as tool inputs: the schema lists the values, parsing forgives case.

use crate::input::input_enum;

input_enum!(
    /// `AccessLevelEnum`.
    AccessLevel {
        NoAccess = "NONE",
        AppOnly = "APP_ONLY",
        CanView = "CAN_VIEW",
        CanEdit = "CAN_EDIT",
        FullAccess = "FULL_ACCESS",
    }
);

input_enum!(
    /// `SortDirectionEnum`.
    SortDirection { Desc = "DESC", Asc = "ASC" }
);

/// Hex's page-size bounds for most lists.
pub const MAX_PAGE: u32 = 100;
