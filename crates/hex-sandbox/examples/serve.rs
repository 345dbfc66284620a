//! Serves a seeded sandbox until Ctrl-C: `cargo run -p hex-sandbox --example serve [ADDR] [PROJECTS]`.
//!
//! Then, e.g.: `curl -H 'Authorization: Bearer sandbox-token' http://127.0.0.1:8766/api/v1/projects?limit=2`

use hex_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8766".to_owned());
    let addr = addr.parse().map_err(std::io::Error::other)?;
    let projects = args.next().and_then(|n| n.parse().ok()).unwrap_or(120);
    let sandbox = Sandbox::start(
        SandboxConfig {
            projects,
            ..SandboxConfig::default()
        },
        addr,
    )
    .await?;
    eprintln!(
        "sandbox on {} (token: see SandboxConfig::default)",
        sandbox.base_url()
    );
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
