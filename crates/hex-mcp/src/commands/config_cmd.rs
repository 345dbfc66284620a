//! `hex-mcp config` and `hex-mcp show-config`.

// A shell command, not the server: its output is for the user on stdout.
#![allow(clippy::print_stdout)]

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
            println!("Saved to {} (readable only by you)", path.display());
            println!("API key: {}", config::mask(&key));
            println!("API URL: {}", args.api_url);
            println!("Check it with: hex-mcp doctor");
            exit::OK
        }
        Err(message) => fail(exit::FAILED, message),
    }
}

pub fn show(args: &ConnectionArgs) -> u8 {
    let settings = match super::settings(args) {
        Ok(settings) => settings,
        Err(message) => return fail(exit::USAGE, message),
    };
    println!("Config file: {}", settings.file.display());
    if let Some(problem) = &settings.file_problem {
        println!("  problem: {problem}");
    }
    match &settings.api_key {
        Some((key, source)) => println!("API key: {} (from {source})", config::mask(key)),
        None => println!(
            "API key: not configured (set it with `hex-mcp config --api-key -` or {})",
            config::ENV_API_KEY
        ),
    }
    println!(
        "API URL: {} (from {})",
        settings.api_url.0, settings.api_url.1
    );
    println!(
        "Precedence: flags > {} / {} > config file > default",
        config::ENV_API_KEY,
        config::ENV_API_URL
    );
    // Where tools may read and write local files (`run`/`call` take --allow-path too).
    let from_env = std::env::var(crate::files::ENV_ALLOW_PATHS).ok();
    match crate::files::AllowedPaths::from_sources(&[], from_env.as_deref()) {
        Ok(paths) if paths.is_enabled() => {
            let dirs: Vec<String> = paths
                .dirs()
                .iter()
                .map(|dir| dir.display().to_string())
                .collect();
            println!(
                "Local files: {} (from {})",
                dirs.join(", "),
                crate::files::ENV_ALLOW_PATHS
            );
        }
        Ok(_) => println!(
            "Local files: none (tools read or write files only under directories named with --allow-path DIR or {})",
            crate::files::ENV_ALLOW_PATHS
        ),
        Err(problem) => println!("Local files: {problem}"),
    }
    exit::OK
}
