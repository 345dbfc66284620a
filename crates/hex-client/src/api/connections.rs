//! Data connections: ListDataConnections, GetDataConnection, CreateDataConnection,
//! EditDataConnection, UpdateDataConnectionSchema. Secrets go in only (see [`crate::Secret`]);
//! Hex never returns them.

pub use super::connection_details::*;
pub use super::connection_info::*;
use super::{MAX_PAGE_SIZE, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};

mod schema;

pub use super::connections_types::*;
pub use schema::*;

const LIST: Op = Op::get(Operation::ListDataConnections);
const GET: Op = Op::get(Operation::GetDataConnection);
const CREATE: Op = Op::create(Operation::CreateDataConnection);
// Edits set fields and upsert group access: repeating them changes nothing more.
const EDIT: Op = Op::new(Operation::EditDataConnection, Repeat::Safe);

/// Data-connection operations; get one with [`HexClient::connections`].
#[derive(Debug, Clone, Copy)]
pub struct Connections<'a> {
    pub(crate) client: &'a HexClient,
}

impl Connections<'_> {
    /// ListDataConnections: one page.
    pub async fn list(
        &self,
        params: &ListDataConnectionsParams,
    ) -> Result<Page<DataConnection>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?
        .opt("sortBy", params.sort_by.as_ref())
        .opt("sortDirection", params.sort_direction.as_ref());
        self.client
            .send_json(&LIST, Call::at(&["data-connections"]).query(query))
            .await
    }

    /// ListDataConnections: every page, lazily, within `caps`.
    pub fn pages(
        &self,
        params: ListDataConnectionsParams,
        caps: PageCaps,
    ) -> Paginator<DataConnection> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.connections().list(&params).await },
        )
    }

    /// GetDataConnection.
    pub async fn get(&self, data_connection_id: &str) -> Result<DataConnection, HexError> {
        let call = Call::at(&[
            "data-connections",
            id("dataConnectionId", data_connection_id)?,
        ]);
        self.client.send_json(&GET, call).await
    }

    /// CreateDataConnection (201). Never retried.
    pub async fn create(
        &self,
        request: &CreateDataConnectionRequest,
    ) -> Result<DataConnection, HexError> {
        if request.name.trim().is_empty() {
            return Err(HexError::invalid_input("name must not be empty"));
        }
        let details = request.connection_details.kind();
        if request.kind != details {
            return Err(HexError::invalid_input(format!(
                "type is {} but connectionDetails are for {details}",
                request.kind
            )));
        }
        self.client
            .send_json(&CREATE, Call::at(&["data-connections"]).json(request)?)
            .await
    }

    /// EditDataConnection (Hex answers 201).
    pub async fn update(
        &self,
        data_connection_id: &str,
        request: &UpdateDataConnectionRequest,
    ) -> Result<DataConnection, HexError> {
        let call = Call::at(&[
            "data-connections",
            id("dataConnectionId", data_connection_id)?,
        ])
        .json(request)?;
        self.client.send_json(&EDIT, call).await
    }
}
