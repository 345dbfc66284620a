//! hex-mcp: an MCP server for Hex.
fn main() {}
