//! MCP over stdin/stdout. Only protocol messages go to stdout; logs go to stderr.

use rmcp::ServiceExt;

use crate::server::HexServer;

pub async fn serve(server: HexServer) -> Result<(), String> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|error| format!("could not start the MCP session: {error}"))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|error| format!("the MCP session ended with an error: {error}"))
}
