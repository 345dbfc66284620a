//! Where the Hex API key and URL come from, as the Python hex-mcp did it, plus provenance.
//!
//! Precedence: command-line flags > `HEX_API_KEY`/`HEX_API_URL` > `~/.hex-mcp/config.yml`
//! (or `config.yaml`, the name the Python hex-mcp actually wrote, where that is the file that
//! exists) > the default URL. An empty value counts as unset at every level.

use std::{
    fmt, fs,
    io::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub const DEFAULT_API_URL: &str = "https://app.hex.tech/api/v1";
pub const ENV_API_KEY: &str = "HEX_API_KEY";
pub const ENV_API_URL: &str = "HEX_API_URL";
/// Seconds each request to Hex may take (`--hex-timeout`).
pub const ENV_HEX_TIMEOUT: &str = "HEX_MCP_HEX_TIMEOUT";
/// The request timeout when none is configured: the client's own default.
pub const DEFAULT_HEX_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest request timeout accepted: an hour is already far beyond any answer Hex gives.
const MAX_HEX_TIMEOUT_SECONDS: u64 = 3600;

/// Where a value came from, for `show-config` and `doctor`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    File(PathBuf),
    Default,
    Sandbox,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("command-line flag"),
            Source::Env(name) => write!(f, "environment variable {name}"),
            Source::File(path) => write!(f, "config file {}", path.display()),
            Source::Default => f.write_str("built-in default"),
            Source::Sandbox => f.write_str("embedded sandbox"),
        }
    }
}

/// The resolved settings.
#[derive(Debug)]
pub struct Settings {
    pub api_key: Option<(SecretString, Source)>,
    pub api_url: (String, Source),
    /// How long each request to Hex may take.
    pub hex_timeout: (Duration, Source),
    /// The config file that was read or would be written.
    pub file: PathBuf,
    /// A config file that exists but could not be read: reported, never fatal for `run`.
    pub file_problem: Option<String>,
}

/// Values given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub api_key: Option<SecretString>,
    pub api_url: Option<String>,
}

/// The on-disk format, shared with the Python hex-mcp.
#[derive(Debug, Default, Deserialize, Serialize)]
struct FileConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_url: Option<String>,
}

/// Resolves the settings from flags, the environment and the config file.
pub fn resolve(overrides: &Overrides, env: impl Fn(&str) -> Option<String>) -> Settings {
    let dir = config_dir(&env);
    let file = config_file(&dir);
    let (from_file, file_problem) = match read_file(&file) {
        Ok(config) => (config, None),
        Err(problem) => (FileConfig::default(), Some(problem)),
    };
    let non_empty = |value: Option<String>| value.filter(|v| !v.trim().is_empty());

    let api_key = non_empty(
        overrides
            .api_key
            .as_ref()
            .map(|key| key.expose_secret().to_string()),
    )
    .map(|key| (key, Source::Flag))
    .or_else(|| non_empty(env(ENV_API_KEY)).map(|key| (key, Source::Env(ENV_API_KEY))))
    .or_else(|| non_empty(from_file.api_key).map(|key| (key, Source::File(file.clone()))))
    .map(|(key, source)| (SecretString::from(key.trim().to_string()), source));

    let api_url = non_empty(overrides.api_url.clone())
        .map(|url| (url, Source::Flag))
        .or_else(|| non_empty(env(ENV_API_URL)).map(|url| (url, Source::Env(ENV_API_URL))))
        .or_else(|| non_empty(from_file.api_url).map(|url| (url, Source::File(file.clone()))))
        .unwrap_or_else(|| (DEFAULT_API_URL.to_string(), Source::Default));

    Settings {
        api_key,
        api_url: (api_url.0.trim().to_string(), api_url.1),
        hex_timeout: (DEFAULT_HEX_TIMEOUT, Source::Default),
        file,
        file_problem,
    }
}

/// The request timeout from `--hex-timeout` (already checked by clap), else
/// `HEX_MCP_HEX_TIMEOUT`, else the default. A variable that is not 1–3600 is an error, not
/// silently the default: the operator set it for a reason.
pub fn hex_timeout(
    flag: Option<u64>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Duration, Source), String> {
    if let Some(seconds) = flag {
        return Ok((Duration::from_secs(seconds), Source::Flag));
    }
    let Some(text) = env(ENV_HEX_TIMEOUT).filter(|text| !text.trim().is_empty()) else {
        return Ok((DEFAULT_HEX_TIMEOUT, Source::Default));
    };
    match text.trim().parse::<u64>() {
        Ok(seconds) if (1..=MAX_HEX_TIMEOUT_SECONDS).contains(&seconds) => {
            Ok((Duration::from_secs(seconds), Source::Env(ENV_HEX_TIMEOUT)))
        }
        _ => Err(format!(
            "{ENV_HEX_TIMEOUT} must be a whole number of seconds, 1–{MAX_HEX_TIMEOUT_SECONDS} (got {:?})",
            text.chars().take(40).collect::<String>()
        )),
    }
}

/// `~/.hex-mcp`.
pub fn config_dir(env: impl Fn(&str) -> Option<String>) -> PathBuf {
    let home = env("HOME")
        .or_else(|| env("USERPROFILE"))
        .unwrap_or_else(|| ".".to_string());
    Path::new(&home).join(".hex-mcp")
}

/// Why the config file is too open, if it is: a file others can read exposes the API key it
/// holds (`doctor` warns; nothing refuses to run, as the Python hex-mcp did not either).
pub fn exposure(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 == 0 {
            return None;
        }
        let who = match (mode & 0o070 != 0, mode & 0o007 != 0) {
            (true, true) => "its group and all other users",
            (true, false) => "its group",
            _ => "all other users",
        };
        Some(format!(
            "{} (mode {mode:03o}) is open to {who}, and it can hold your API key. Fix: chmod 600 {}",
            path.display(),
            path.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// `config.yml`, unless only `config.yaml` exists.
pub fn config_file(dir: &Path) -> PathBuf {
    let yml = dir.join("config.yml");
    let yaml = dir.join("config.yaml");
    if !yml.exists() && yaml.exists() {
        yaml
    } else {
        yml
    }
}

fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileConfig::default());
        }
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    // The parser's message can quote the file's content, which may hold the key: keep only
    // the location.
    yaml_serde::from_str(&text).map_err(|error| {
        let location = error
            .location()
            .map(|at| format!(" (line {}, column {})", at.line(), at.column()))
            .unwrap_or_default();
        format!(
            "{} is not a valid config file{location}: expected `api_key: …` and `api_url: …`; rewrite it with `hex-mcp config --api-key -`",
            path.display()
        )
    })
}

/// Writes the key and URL, replacing the file, readable by the owner only.
pub fn write(dir: &Path, api_key: &SecretString, api_url: &str) -> Result<PathBuf, String> {
    create_private_dir(dir)?;
    let path = config_file(dir);
    let config = FileConfig {
        api_key: Some(api_key.expose_secret().to_string()),
        api_url: Some(api_url.to_string()),
    };
    let text = yaml_serde::to_string(&config)
        .map_err(|error| format!("cannot encode the config: {error}"))?;
    let temporary = dir.join(".config.yml.tmp");
    write_private_file(&temporary, text.as_bytes())
        .and_then(|()| fs::rename(&temporary, &path))
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}

fn create_private_dir(dir: &Path) -> Result<(), String> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    // An existing directory keeps its mode from before; tighten it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|error| format!("cannot restrict {}: {error}", dir.display()))?;
    }
    Ok(())
}

fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A key as it may be shown: its length and last four characters only.
pub fn mask(key: &SecretString) -> String {
    let key = key.expose_secret();
    let count = key.chars().count();
    if count <= 12 {
        return format!("[hidden, {count} characters]");
    }
    let tail: String = key.chars().skip(count - 4).collect();
    format!("****{tail} ({count} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn temp_home(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hex-mcp-config-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn flags_beat_env_beat_file_beat_default() {
        let home = temp_home("precedence");
        let dir = home.join(".hex-mcp");
        write(
            &dir,
            &SecretString::from("file-key-0123456789"),
            "https://file.hex.tech/api/v1",
        )
        .unwrap();
        let home_str = home.to_str().unwrap();

        let settings = resolve(&Overrides::default(), env_of(&[("HOME", home_str)]));
        assert!(matches!(settings.api_key, Some((_, Source::File(_)))));
        assert_eq!(settings.api_url.0, "https://file.hex.tech/api/v1");

        let pairs = [
            ("HOME", home_str),
            (ENV_API_KEY, "env-key"),
            (ENV_API_URL, ""),
        ];
        let settings = resolve(&Overrides::default(), env_of(&pairs));
        let (key, source) = settings.api_key.unwrap();
        assert_eq!(key.expose_secret(), "env-key");
        assert_eq!(source, Source::Env(ENV_API_KEY));
        // An empty environment variable counts as unset: the file's URL applies.
        assert!(matches!(settings.api_url.1, Source::File(_)));

        let overrides = Overrides {
            api_key: Some(SecretString::from("flag-key")),
            api_url: Some("https://eu.hex.tech/api/v1".into()),
        };
        let settings = resolve(
            &overrides,
            env_of(&[("HOME", home_str), (ENV_API_KEY, "env-key")]),
        );
        assert_eq!(settings.api_key.unwrap().1, Source::Flag);
        assert_eq!(
            settings.api_url,
            ("https://eu.hex.tech/api/v1".into(), Source::Flag)
        );

        let empty = temp_home("empty");
        let settings = resolve(
            &Overrides::default(),
            env_of(&[("HOME", empty.to_str().unwrap())]),
        );
        assert!(settings.api_key.is_none());
        assert_eq!(
            settings.api_url,
            (DEFAULT_API_URL.to_string(), Source::Default)
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let home = temp_home("modes");
        let dir = home.join(".hex-mcp");
        let path = write(&dir, &SecretString::from("k"), DEFAULT_API_URL).unwrap();
        assert_eq!(path.file_name().unwrap(), "config.yml");
        let file_mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(exposure(&path), None);
        let dir_mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!((file_mode, dir_mode), (0o600, 0o700));
    }

    #[test]
    fn the_python_servers_config_yaml_is_read_and_updated_in_place() {
        let home = temp_home("yaml");
        let dir = home.join(".hex-mcp");
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("config.yaml"),
            "api_key: old-key-123456789\napi_url: https://app.hex.tech/api/v1\n",
        )
        .unwrap();
        let settings = resolve(
            &Overrides::default(),
            env_of(&[("HOME", home.to_str().unwrap())]),
        );
        assert_eq!(
            settings.api_key.unwrap().0.expose_secret(),
            "old-key-123456789"
        );
        let path = write(&dir, &SecretString::from("new-key"), DEFAULT_API_URL).unwrap();
        assert_eq!(path.file_name().unwrap(), "config.yaml");
    }

    #[test]
    fn a_broken_file_is_reported_without_its_content() {
        let home = temp_home("broken");
        let dir = home.join(".hex-mcp");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("config.yml"), "api_key: [secret-value-xyz\n").unwrap();
        let settings = resolve(
            &Overrides::default(),
            env_of(&[("HOME", home.to_str().unwrap())]),
        );
        let problem = settings.file_problem.unwrap();
        assert!(problem.contains("not a valid config file"), "{problem}");
        assert!(!problem.contains("secret-value-xyz"), "{problem}");
    }

    #[test]
    fn masking_shows_only_the_tail() {
        let masked = mask(&SecretString::from("tok_abcdefghijklmnopq1234"));
        assert_eq!(masked, "****1234 (25 characters)");
        assert_eq!(mask(&SecretString::from("short")), "[hidden, 5 characters]");
    }
}
