//! Local files, only where the operator allows: tools that read a file (a secret by reference, a
//! semantic project to ingest) or write one (an export) reach only directories named with
//! `--allow-path DIR` or `HEX_MCP_ALLOW_PATHS`. Paths are resolved (symlinks included) before they
//! are checked, so a link inside an allowed directory cannot lead out of it.

use std::{
    fs::{File, OpenOptions},
    io::{Read, Write},
    path::{Path, PathBuf},
};

use crate::{errors::ToolError, input::excerpt};

/// The environment variable listing allowed directories (separated like `PATH`).
pub const ENV_ALLOW_PATHS: &str = "HEX_MCP_ALLOW_PATHS";

const NOT_ENABLED: &str = "reading and writing local files is off in this server: its operator can allow directories with `--allow-path DIR` (repeatable) or HEX_MCP_ALLOW_PATHS=DIR";

/// The directories tools may use, each resolved to its canonical path at start-up.
#[derive(Clone, Debug, Default)]
pub struct AllowedPaths {
    dirs: Vec<PathBuf>,
}

impl AllowedPaths {
    /// No directory: every file access is refused with how to enable it.
    pub fn none() -> AllowedPaths {
        AllowedPaths::default()
    }

    /// From `--allow-path` values and the environment; a directory that does not exist (or is
    /// not a directory) is an error naming it, so a typo fails at start-up rather than later.
    pub fn from_sources(flags: &[PathBuf], env: Option<&str>) -> Result<AllowedPaths, String> {
        let from_env = env
            .map(|list| std::env::split_paths(list).collect::<Vec<_>>())
            .unwrap_or_default();
        let mut dirs = Vec::new();
        for dir in flags.iter().chain(&from_env) {
            if dir.as_os_str().is_empty() {
                continue;
            }
            let dir = expand_home(dir);
            let canonical = dir
                .canonicalize()
                .map_err(|error| format!("--allow-path {}: {}", dir.display(), error.kind()))?;
            if !canonical.is_dir() {
                return Err(format!("--allow-path {}: not a directory", dir.display()));
            }
            if !dirs.contains(&canonical) {
                dirs.push(canonical);
            }
        }
        Ok(AllowedPaths { dirs })
    }

    pub fn is_enabled(&self) -> bool {
        !self.dirs.is_empty()
    }

    /// The allowed directories, for `show-config` and error messages.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Reads a file of at most `max_bytes` under an allowed directory. `field` names the
    /// argument in errors; errors show the path as given, never the content.
    pub fn read(&self, field: &str, given: &str, max_bytes: u64) -> Result<Vec<u8>, ToolError> {
        let path = self.existing(field, given)?;
        let fail = |problem: String| file_error(field, given, problem);
        if !path.is_file() {
            return Err(fail("not a regular file".into()));
        }
        let file = File::open(&path).map_err(|error| fail(error.kind().to_string()))?;
        let mut bytes = Vec::new();
        file.take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| fail(error.kind().to_string()))?;
        if bytes.len() as u64 > max_bytes {
            return Err(fail(format!("larger than {max_bytes} bytes")));
        }
        Ok(bytes)
    }

    /// An existing file or directory under an allowed directory, resolved.
    pub fn existing(&self, field: &str, given: &str) -> Result<PathBuf, ToolError> {
        let path = self.absolute(field, given)?;
        let resolved = path
            .canonicalize()
            .map_err(|error| file_error(field, given, error.kind().to_string()))?;
        self.check_inside(field, given, &resolved)?;
        Ok(resolved)
    }

    /// Whether a resolved path (e.g. a file found while walking an allowed directory) is still
    /// inside an allowed directory, and not in the kernel's pseudo file systems.
    pub fn contains(&self, resolved: &Path) -> bool {
        !is_pseudo_file_system(resolved) && self.dirs.iter().any(|dir| resolved.starts_with(dir))
    }

    /// Writes `bytes` to a new file (or, with `overwrite`, over a regular file) under an allowed
    /// directory; returns where it went. Symbolic links are never written through.
    pub fn write(
        &self,
        field: &str,
        given: &str,
        bytes: &[u8],
        overwrite: bool,
    ) -> Result<PathBuf, ToolError> {
        let path = self.absolute(field, given)?;
        let fail = |problem: String| file_error(field, given, problem);
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(fail("name a file, not a directory".into()));
        };
        let parent = parent
            .canonicalize()
            .map_err(|error| fail(format!("its directory: {}", error.kind())))?;
        self.check_inside(field, given, &parent)?;
        let target = parent.join(name);
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(fail(
                    "it is a symbolic link, which is never written through".into(),
                ));
            }
            Ok(meta) if !meta.is_file() => return Err(fail("not a regular file".into())),
            Ok(_) if !overwrite => {
                return Err(fail("it exists; pass overwrite: true to replace it".into()));
            }
            _ => {}
        }
        let mut options = OpenOptions::new();
        options.write(true);
        if overwrite {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        let mut file = options
            .open(&target)
            .map_err(|error| fail(error.kind().to_string()))?;
        file.write_all(bytes)
            .and_then(|()| file.flush())
            .map_err(|error| fail(error.kind().to_string()))?;
        Ok(target)
    }

    /// `given` as an absolute path: `~/` is the home directory; a relative path is taken from the
    /// first allowed directory.
    fn absolute(&self, field: &str, given: &str) -> Result<PathBuf, ToolError> {
        let Some(first) = self.dirs.first() else {
            return Err(ToolError::input(field, NOT_ENABLED));
        };
        let trimmed = given.trim();
        if trimmed.is_empty() {
            return Err(ToolError::input(field, "give a file path"));
        }
        let path = expand_home(Path::new(trimmed));
        let path = if path.is_absolute() {
            path
        } else {
            first.join(path)
        };
        Ok(path)
    }

    fn check_inside(&self, field: &str, given: &str, resolved: &Path) -> Result<(), ToolError> {
        if is_pseudo_file_system(resolved) {
            return Err(file_error(
                field,
                given,
                "it resolves to a place under /proc, /sys or /dev, which is never read or written (it holds the server's environment and devices)".into(),
            ));
        }
        if self.contains(resolved) {
            return Ok(());
        }
        let allowed: Vec<String> = self
            .dirs
            .iter()
            .map(|dir| dir.display().to_string())
            .collect();
        Err(file_error(
            field,
            given,
            format!(
                "it is outside the directories this server may use ({}); symbolic links are resolved before this check",
                allowed.join(", ")
            ),
        ))
    }
}

/// Where the kernel shows process state (`/proc/self/environ` holds HEX_API_KEY), devices and
/// system settings: never a file an operator meant to share, even when an allowed directory
/// (`/`, say) or a symbolic link inside one leads there. Checked on the resolved path.
const PSEUDO_FILE_SYSTEMS: [&str; 3] = ["/proc", "/sys", "/dev"];

fn is_pseudo_file_system(resolved: &Path) -> bool {
    PSEUDO_FILE_SYSTEMS
        .iter()
        .any(|prefix| resolved.starts_with(prefix))
}

fn file_error(field: &str, given: &str, problem: String) -> ToolError {
    ToolError::input(
        field,
        format!(
            "cannot use `{}` on the server's machine: {problem}",
            excerpt(given.trim())
        ),
    )
}

fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hex-mcp-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn nothing_is_allowed_until_the_operator_names_a_directory() {
        let error = AllowedPaths::none()
            .read("file", "/etc/hostname", 100)
            .unwrap_err()
            .to_string();
        assert!(error.contains("--allow-path"), "{error}");
    }

    #[test]
    fn files_inside_are_read_and_written_and_links_out_are_refused() {
        let root = temp_dir("root");
        let outside = temp_dir("outside");
        std::fs::write(outside.join("secret"), "s3cr3t").unwrap();
        std::fs::write(root.join("ok.txt"), "fine").unwrap();
        std::os::unix::fs::symlink(outside.join("secret"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("dirlink")).unwrap();
        let allowed = AllowedPaths::from_sources(std::slice::from_ref(&root), None).unwrap();

        assert_eq!(allowed.read("f", "ok.txt", 100).unwrap(), b"fine");
        let abs = root.join("ok.txt");
        assert_eq!(
            allowed.read("f", abs.to_str().unwrap(), 100).unwrap(),
            b"fine"
        );
        for escape in ["link", "dirlink/secret", "../outside/secret"] {
            let error = allowed.read("f", escape, 100).unwrap_err().to_string();
            assert!(!error.contains("s3cr3t"), "{error}");
            assert!(
                error.contains("outside the directories") || error.contains("not found"),
                "{escape}: {error}"
            );
        }
        let outside_abs = outside.join("secret");
        assert!(
            allowed
                .read("f", outside_abs.to_str().unwrap(), 100)
                .is_err()
        );
        assert!(
            allowed
                .read("f", "ok.txt", 2)
                .unwrap_err()
                .to_string()
                .contains("larger")
        );

        let written = allowed.write("f", "out/../new.yaml", b"a: 1", false);
        assert!(written.is_err(), "a missing directory is not created");
        let written = allowed.write("f", "new.yaml", b"a: 1", false).unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"a: 1");
        let again = allowed
            .write("f", "new.yaml", b"b", false)
            .unwrap_err()
            .to_string();
        assert!(again.contains("overwrite"), "{again}");
        allowed.write("f", "new.yaml", b"b: 2", true).unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"b: 2");
        let link = allowed
            .write("f", "link", b"x", true)
            .unwrap_err()
            .to_string();
        assert!(link.contains("symbolic link"), "{link}");
        assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"s3cr3t");
        let escape = allowed.write("f", "dirlink/new", b"x", false).unwrap_err();
        assert!(escape.to_string().contains("outside"), "{escape}");
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn nothing_under_proc_sys_or_dev_is_read_even_when_allowed() {
        let root = temp_dir("pseudo");
        std::os::unix::fs::symlink("/proc/self/environ", root.join("env")).unwrap();
        std::os::unix::fs::symlink("/proc/self", root.join("me")).unwrap();
        let dirs = [root.clone(), PathBuf::from("/")];
        let allowed = AllowedPaths::from_sources(&dirs, None).unwrap();
        for given in [
            "env",
            "me/environ",
            "/proc/self/environ",
            "/sys",
            "/dev/zero",
        ] {
            let error = allowed.read("f", given, 1 << 20).unwrap_err().to_string();
            assert!(error.contains("/proc, /sys or /dev"), "{given}: {error}");
        }
        assert!(!allowed.contains(Path::new("/proc/1/environ")));
        assert!(
            allowed
                .write("f", "/dev/shm/hex-mcp-never", b"x", false)
                .is_err()
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_missing_allowed_directory_fails_at_start_up() {
        let error =
            AllowedPaths::from_sources(&[PathBuf::from("/surely/not/here")], None).unwrap_err();
        assert!(error.contains("/surely/not/here"), "{error}");
    }
}
