//! `hex-mcp config` and `hex-mcp show-config`.

use crate::{
    cli::{ConfigArgs, ConnectionArgs},
    config,
};

use super::{exit, fail};

pub fn config(args: &ConfigArgs) -> u8 {
    let key = match super::read_key(&args.api_key) {
        Ok(key) => key,
        Err(message) => return fail(exit::USAGE, message),
    };
    if let Err(error) = hex_client::HexClient::builder(args.api_url.clone(), key.clone()).build() {
        return fail(exit::USAGE, format!("not saved: {error}"));
    }
    let dir = config::config_dir(|name| std::env::var(name).ok());
    match config::write(&dir, &key, &args.api_url) {
        Ok(path) => {
            let mut out = super::stdout::Stdout::new();
            out.line(&format!(
                "Saved to {} (readable only by you)",
                path.display()
            ));
            out.line(&format!("API key: {}", config::mask(&key)));
            out.line(&format!("API URL: {}", args.api_url));
            out.line("Check it with: hex-mcp doctor");
            out.finish(exit::OK)
        }
        Err(message) => fail(exit::FAILED, message),
    }
}

pub fn show(args: &ConnectionArgs) -> u8 {
    let settings = match super::settings(args) {
        Ok(settings) => settings,
        Err(message) => return fail(exit::USAGE, message),
    };
    let mut out = super::stdout::Stdout::new();
    out.line(&format!("Config file: {}", settings.file.display()));
    if let Some(problem) = &settings.file_problem {
        out.line(&format!("  problem: {problem}"));
    }
    match &settings.api_key {
        Some((key, source)) => out.line(&format!("API key: {} (from {source})", config::mask(key))),
        None => out.line(&format!(
            "API key: not configured (set it with `hex-mcp config --api-key -` or {})",
            config::ENV_API_KEY
        )),
    }
    out.line(&format!(
        "API URL: {} (from {})",
        settings.api_url.0, settings.api_url.1
    ));
    out.line(&format!(
        "Hex request timeout: {} s (from {})",
        settings.hex_timeout.0.as_secs(),
        settings.hex_timeout.1
    ));
    out.line(&format!(
        "Precedence: flags > {} / {} > config file > default",
        config::ENV_API_KEY,
        config::ENV_API_URL
    ));
    // Where tools may read and write local files (`run`/`call` take --allow-path too).
    let from_env = std::env::var(crate::files::ENV_ALLOW_PATHS).ok();
    match crate::files::AllowedPaths::from_sources(&[], from_env.as_deref()) {
        Ok(paths) if paths.is_enabled() => {
            let dirs: Vec<String> = paths
                .dirs()
                .iter()
                .map(|dir| dir.display().to_string())
                .collect();
            out.line(&format!(
                "Local files: {} (from {})",
                dirs.join(", "),
                crate::files::ENV_ALLOW_PATHS
            ));
        }
        Ok(_) => out.line(&format!(
            "Local files: none (tools read or write files only under directories named with --allow-path DIR or {})",
            crate::files::ENV_ALLOW_PATHS
        )),
        Err(problem) => out.line(&format!("Local files: {problem}")),
    }
    out.finish(exit::OK)
}
