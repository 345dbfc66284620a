//! hex-mcp: an MCP server for Hex (app.hex.tech). The binary's pieces, as a library so tests
//! and benchmarks can use them.

pub mod bounds;
pub mod call_scope;
pub mod cli;
pub mod client_log;
pub mod commands;
pub mod config;
pub mod confirm;
pub mod context;
pub mod errors;
pub mod files;
pub mod in_flight;
pub mod input;
pub mod instructions;
pub mod metrics;
pub mod output;
pub mod pacing;
pub mod plans;
pub mod prompts;
pub mod rate_store;
pub mod registry;
pub mod resources;
pub mod schema;
pub mod server;
pub mod subject;
pub mod tools;
pub mod transport;
