//! MCP over stdin/stdout. Only protocol messages go to stdout; logs go to stderr.

use rmcp::ServiceExt;

use crate::server::HexServer;

pub async fn serve(server: HexServer) -> Result<(), String> {
    // When stdin and stdout are pipes (as MCP clients start servers), drive them from the IO
    // reactor: tokio's Stdin/Stdout hand every read and write to the blocking thread pool, and
    // those thread hand-offs (about 15 futex calls per message) cost more CPU than the call
    // itself. Anything else (a terminal, a file) falls back to the blocking handles.
    let running = server
        .serve(rmcp::transport::stdio_pipes())
        .await
        .map_err(|error| format!("could not start the MCP session: {error}"))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|error| format!("the MCP session ended with an error: {error}"))
}
