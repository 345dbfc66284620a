//! `hex-mcp doctor`: checks the configuration and the token against Hex, and says how to fix
//! what is wrong.

use std::time::Duration;

use hex_client::{HexClient, HexError, RetryPolicy, api::projects::ListProjectsParams};

use crate::{cli::ConnectionArgs, config};

use super::{exit, fail, stdout::Stdout};

/// How long each check waits for Hex. A person is waiting for a verdict: a Hex that has not
/// answered in this time is itself the finding, and each check is tried once (retries would
/// only repeat what it already saw).
const CHECK_TIMEOUT: Duration = Duration::from_secs(4);

/// [`CHECK_TIMEOUT`], unless the operator chose a timeout (`--hex-timeout`): then theirs.
fn check_timeout(settings: &config::Settings) -> Duration {
    match settings.hex_timeout {
        (_, config::Source::Default) => CHECK_TIMEOUT,
        (chosen, _) => chosen,
    }
}

pub fn doctor(args: &ConnectionArgs) -> u8 {
    let settings = match super::settings(args) {
        Ok(settings) => settings,
        Err(message) => return fail(exit::USAGE, message),
    };
    let mut out = Stdout::new();
    let code = check_all(&mut out, &settings);
    out.finish(code)
}

/// Every check, each reported on its own line; the exit code says whether all passed.
fn check_all(out: &mut Stdout, settings: &config::Settings) -> u8 {
    let mut ok = true;
    if let Some(problem) = &settings.file_problem {
        report(out, false, &format!("config file: {problem}"));
        ok = false;
    }
    if let Some(exposure) = config::exposure(&settings.file) {
        warn(out, &format!("config file: {exposure}"));
    }
    let Some((key, source)) = &settings.api_key else {
        report(
            out,
            false,
            &format!(
                "API key: none configured. Fix: `hex-mcp config --api-key -` (paste the key, then Ctrl-D) or set {}",
                config::ENV_API_KEY
            ),
        );
        return exit::FAILED;
    };
    report(
        out,
        true,
        &format!("API key: {} (from {source})", config::mask(key)),
    );
    let client = match HexClient::builder(settings.api_url.0.clone(), key.clone())
        .timeout(check_timeout(settings))
        .connect_timeout(check_timeout(settings))
        .retry_policy(RetryPolicy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            report(
                out,
                false,
                &format!("API URL {}: {error}", settings.api_url.0),
            );
            return exit::FAILED;
        }
    };
    report(
        out,
        true,
        &format!(
            "API URL: {} (from {})",
            client.base_url(),
            settings.api_url.1
        ),
    );
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(message) => return fail(exit::FAILED, message),
    };
    ok &= runtime.block_on(check_api(out, &client));
    if ok {
        out.line("All checks passed: hex-mcp is ready (`hex-mcp run`).");
        exit::OK
    } else {
        exit::FAILED
    }
}

async fn check_api(out: &mut Stdout, client: &HexClient) -> bool {
    match client.users().me().await {
        Ok(me) => match &me.role {
            Some(role) => report(out, true, &format!("token accepted: {} ({role})", me.email)),
            None => report(out, true, "token accepted: a workspace token (no user)"),
        },
        Err(error) => {
            report(
                out,
                false,
                &format!("checking your token: {error}. {}", fix_for(&error)),
            );
            return false;
        }
    }
    let params = ListProjectsParams {
        limit: Some(1),
        ..ListProjectsParams::default()
    };
    match client.projects().list(&params).await {
        Ok(_) => report(out, true, "projects are readable"),
        Err(error) => {
            report(
                out,
                false,
                &format!("listing your projects: {error}. {}", fix_for(&error)),
            );
            return false;
        }
    }
    true
}

fn fix_for(error: &HexError) -> &'static str {
    match error.status() {
        Some(401) => {
            "Fix: create a new token in Hex (Settings → API keys) and save it with `hex-mcp config --api-key -`"
        }
        Some(403) => {
            "Fix: give the token the scopes it needs (workspace tokens: Projects → Read/Write, Collections → Write)"
        }
        Some(404) => {
            "Fix: check the API URL; it should end in /api/v1 (e.g. https://app.hex.tech/api/v1)"
        }
        _ => "Fix: check the network and the API URL (`hex-mcp show-config`)",
    }
}

/// A finding that does not stop hex-mcp from working, so it does not fail the checks.
fn warn(out: &mut Stdout, line: &str) {
    out.line(&format!("[WARN]  {line}"));
}

fn report(out: &mut Stdout, ok: bool, line: &str) {
    out.line(&format!("{} {line}", if ok { "[ok]  " } else { "[FAIL]" }));
}
