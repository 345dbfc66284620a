//! MCP transports: stdio (what desktop clients spawn) and Streamable HTTP.

pub mod http;
pub mod stdio;
