//! `hex-mcp run`: serve MCP.

use crate::{
    cli::{RunArgs, Transport},
    confirm::{ConfirmKey, ENV_CONFIRM_KEY, Gate},
    server::{HexServer, Serving},
    transport,
};

use super::{exit, fail};

pub fn run(args: &RunArgs) -> u8 {
    let registry = super::registry();
    let selection = match super::selection(&args.selection, &registry) {
        Ok(selection) => selection,
        Err(message) => return fail(exit::USAGE, message),
    };
    if args.no_confirm && !selection.read_only {
        eprintln!(
            "hex-mcp: --no-confirm: destructive and access-widening changes will be made without asking anyone"
        );
    }
    let key = match ConfirmKey::from_env(std::env::var(ENV_CONFIRM_KEY).ok().as_deref()) {
        Ok(key) => key,
        Err(message) => return fail(exit::USAGE, message),
    };
    let http = match args.transport {
        Transport::Stdio => None,
        Transport::Http => {
            let token_env = std::env::var(transport::http::ENV_HTTP_TOKEN).ok();
            match transport::http::HttpOptions::from_args(&args.http, token_env.as_deref()) {
                Ok(options) => Some(options),
                Err(message) => return fail(exit::USAGE, message),
            }
        }
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(message) => return fail(exit::FAILED, message),
    };
    runtime.block_on(async {
        // Kept alive for the whole session when used.
        let mut _sandbox = None;
        let target = if args.sandbox {
            match super::embedded_sandbox().await {
                Ok((sandbox, target)) => {
                    _sandbox = Some(sandbox);
                    target
                }
                Err(message) => return fail(exit::FAILED, message),
            }
        } else {
            match super::settings(&args.connection) {
                Ok(settings) => super::target(&settings),
                Err(message) => return fail(exit::USAGE, message),
            }
        };
        let target = match super::with_rate_store(target, &args.rate_store).await {
            Ok(target) => target,
            Err(message) => return fail(exit::FAILED, message),
        };
        let shared_store = target.rate_store.clone();
        let context = match super::context(target, &args.files) {
            Ok(context) => context,
            Err(message) => return fail(exit::USAGE, message),
        };
        let serving = http
            .as_ref()
            .map_or_else(Serving::default, |options| Serving {
                call_timeout: Some(options.request_timeout),
                tasks: !options.stateless,
            });
        let gate = Gate::new(!args.no_confirm, key).spend_in(shared_store);
        let server = HexServer::new(registry, selection, context, gate, serving);
        let served = match http {
            None => transport::stdio::serve(server).await,
            Some(options) => transport::http::serve(server, options).await,
        };
        match served {
            Ok(()) => exit::OK,
            Err(message) => fail(exit::FAILED, message),
        }
    })
}
