//! `hex-mcp install --client …`: adds hex-mcp to an MCP client's configuration. The file is
//! merged, never replaced (other servers, settings and comments stay), a copy of the old file is
//! kept beside it first, and the API key stays out of it unless `--with-token` asks for it.

mod clients;
mod merge;

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;
use serde_json::{Map, Value};

use super::{exit, fail, stdout::Stdout};
use crate::{
    cli::InstallArgs,
    config::{self, DEFAULT_API_URL, ENV_API_KEY, ENV_API_URL, Overrides},
    registry::parse_toolsets,
};
use clients::{ClientFile, client_file, entry};
use merge::{Change, merge};

pub fn install(args: &InstallArgs) -> u8 {
    let env = |name: &str| std::env::var(name).ok();
    let planned = match plan(args, &env) {
        Ok(planned) => planned,
        Err(error) => return fail(exit::USAGE, error),
    };
    if args.dry_run {
        eprintln!(
            "hex-mcp: would write {} (dry run: nothing changed)",
            planned.file.path.display()
        );
        let mut out = Stdout::new();
        out.text(&planned.text);
        return out.finish(exit::OK);
    }
    match write(&planned) {
        Ok(report) => {
            eprintln!("hex-mcp: {report}");
            if let Some(hint) = &planned.hint {
                eprintln!("hex-mcp: {hint}");
            }
            exit::OK
        }
        Err(error) => fail(exit::FAILED, error),
    }
}

/// The change to make, computed without writing anything.
struct Planned {
    file: ClientFile,
    name: String,
    /// The file as it is, `None` when it does not exist yet.
    old_text: Option<String>,
    text: String,
    change: Change,
    /// Whether the file holds the API key (it is then written readable by its owner only).
    has_key: bool,
    /// What else to do for the server to work (e.g. save an API key).
    hint: Option<String>,
}

fn plan(args: &InstallArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Planned, String> {
    let project = match &args.project_dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()
            .map_err(|error| format!("cannot read the current directory: {error}"))?,
    };
    let mut file = client_file(args.client, args.global, &project, env)?;
    if let Some(path) = &args.config_file {
        file.path = path.clone();
    }
    let (vars, hint) = token_vars(args, env)?;
    let command = match &args.command {
        Some(command) => command.clone(),
        None => this_binary(),
    };
    let wanted = entry(&file, &command, &server_args(args)?, &vars);
    let old_text = read_existing(&file.path)?;
    let (text, change) = merge(
        old_text.as_deref().unwrap_or(""),
        file.servers_key,
        &args.name,
        &wanted,
    )
    .map_err(|problem| format!("cannot add hex-mcp to {}: {problem}", file.path.display()))?;
    Ok(Planned {
        file,
        name: args.name.clone(),
        old_text,
        text,
        change,
        has_key: !vars.is_empty(),
        hint,
    })
}

/// `run` and the flags carried into the entry; names are checked now, not when the client
/// first starts the server.
fn server_args(args: &InstallArgs) -> Result<Vec<String>, String> {
    let mut list = vec!["run".to_string()];
    if args.sandbox {
        list.push("--sandbox".into());
    }
    if let Some(toolsets) = &args.toolsets {
        parse_toolsets(toolsets)?;
        list.extend(["--toolsets".into(), toolsets.clone()]);
    }
    if let Some(tools) = &args.tools {
        let names: Vec<String> = tools
            .split(',')
            .map(|name| name.trim().to_string())
            .collect();
        super::registry().check_tool_names(&names)?;
        list.extend(["--tools".into(), tools.clone()]);
    }
    if args.read_only {
        list.push("--read-only".into());
    }
    Ok(list)
}

/// HEX_API_KEY (and a non-default HEX_API_URL) when `--with-token` asks for them; otherwise
/// none, with a hint when hex-mcp would find no key at all.
fn token_vars(
    args: &InstallArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Map<String, Value>, Option<String>), String> {
    let mut vars = Map::new();
    if args.sandbox {
        if args.with_token {
            return Err("--with-token has no use with --sandbox (the sandbox needs no key); drop one of them".into());
        }
        return Ok((vars, None));
    }
    let settings = config::resolve(&Overrides::default(), env);
    let Some((key, _)) = &settings.api_key else {
        let hint = format!(
            "no Hex API key is saved yet: run `hex-mcp config --api-key -` (it goes to {}, not into the client's file)",
            settings.file.display()
        );
        if args.with_token {
            return Err(format!("--with-token: {hint}"));
        }
        return Ok((vars, Some(hint)));
    };
    if args.with_token {
        vars.insert(
            ENV_API_KEY.into(),
            Value::String(key.expose_secret().to_string()),
        );
        if settings.api_url.0 != DEFAULT_API_URL {
            vars.insert(
                ENV_API_URL.into(),
                Value::String(settings.api_url.0.clone()),
            );
        }
    }
    Ok((vars, None))
}

/// The full path of the running binary: desktop apps do not read the shell's PATH.
fn this_binary() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| path.to_str().map(str::to_string))
        .unwrap_or_else(|| "hex-mcp".to_string())
}

fn read_existing(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("cannot read {}: {error}", path.display())),
    }
}

/// Writes the merged file (a backup of the old one first) and says what changed.
fn write(planned: &Planned) -> Result<String, String> {
    let path = &planned.file.path;
    if planned.change == Change::Unchanged {
        return Ok(format!(
            "{} already has this \"{}\" entry; nothing changed",
            path.display(),
            planned.name
        ));
    }
    let backup = match &planned.old_text {
        Some(_) => Some(backup(path)?),
        None => {
            if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
            }
            None
        }
    };
    replace_file(path, planned.text.as_bytes(), planned.has_key)?;
    let verb = if planned.change == Change::Added {
        "added"
    } else {
        "replaced"
    };
    let kept = match backup {
        Some(backup) => format!("; the previous file is kept as {}", backup.display()),
        None => String::new(),
    };
    Ok(format!(
        "{verb} \"{}\" in {}{kept}. Restart the client to load it.",
        planned.name,
        path.display()
    ))
}

/// `<file>.hex-mcp-backup-<seconds since 1970>`, with the old file's permissions.
fn backup(path: &Path) -> Result<PathBuf, String> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".hex-mcp-backup-{seconds}"));
    let backup = path.with_file_name(name);
    std::fs::copy(path, &backup).map_err(|error| {
        format!(
            "cannot back up {} to {}: {error}",
            path.display(),
            backup.display()
        )
    })?;
    Ok(backup)
}

/// Writes through a temporary file in the same directory and renames it over the old one, so
/// a crash leaves the old file or the new one, never half of it. The temporary file is created
/// readable by its owner only; unless it holds the API key, it then takes the old file's
/// permissions.
fn replace_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_os_string();
    temporary.push(".hex-mcp-tmp");
    let temporary = PathBuf::from(temporary);
    let result = write_temporary(&temporary, path, bytes, private)
        .and_then(|()| std::fs::rename(&temporary, path));
    result.map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}: {error}", path.display())
    })
}

fn write_temporary(
    temporary: &Path,
    path: &Path,
    bytes: &[u8],
    private: bool,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    if !private && let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(temporary, meta.permissions())?;
    }
    Ok(())
}
