//! `hex-mcp run`: serve MCP.

use crate::{
    cli::{RunArgs, Transport},
    server::HexServer,
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
        let context = match super::context(target, &args.files) {
            Ok(context) => context,
            Err(message) => return fail(exit::USAGE, message),
        };
        let server = HexServer::new(registry, selection, context, !args.no_confirm);
        let served = match args.transport {
            Transport::Stdio => transport::stdio::serve(server).await,
            Transport::Http => transport::http::serve(server, args.bind).await,
        };
        match served {
            Ok(()) => exit::OK,
            Err(message) => fail(exit::FAILED, message),
        }
    })
}
