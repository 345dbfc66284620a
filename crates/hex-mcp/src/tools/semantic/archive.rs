//! The zip archive an ingest uploads, built from a `.zip` file or a directory under a directory
//! the operator allowed (`--allow-path`). Every file is checked: hidden entries (`.git`,
//! `.DS_Store`) are left out, a symbolic link that leads out of the allowed directories or to a
//! directory is refused, and the number and total size of files are capped.

use std::{
    fs,
    io::{Cursor, Write},
    path::{Path, PathBuf},
};

use zip::{ZipWriter, write::SimpleFileOptions};

use crate::{errors::ToolError, files::AllowedPaths};

/// Most files a directory may give.
const MAX_FILES: usize = 1_000;
/// Most bytes the files (or a `.zip`) may hold.
const MAX_BYTES: u64 = 20 * 1024 * 1024;
/// Deepest directory nesting walked.
const MAX_DEPTH: usize = 16;

const FIELD: &str = "path";

/// The archive's bytes and how many files it holds.
pub struct Archive {
    pub bytes: Vec<u8>,
    pub files: usize,
}

/// A `.zip` file as it is, or a directory zipped; both only under an allowed directory.
pub fn build(allowed: &AllowedPaths, given: &str) -> Result<Archive, ToolError> {
    let resolved = allowed.existing(FIELD, given)?;
    if resolved.is_dir() {
        return zip_directory(allowed, &resolved);
    }
    let bytes = allowed.read(FIELD, given, MAX_BYTES)?;
    if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(b"PK\x05\x06") {
        return Err(ToolError::input(
            FIELD,
            "not a zip archive: give a .zip file or a directory of the project's files",
        ));
    }
    let files = zip::ZipArchive::new(Cursor::new(&bytes))
        .map(|archive| archive.len())
        .map_err(|error| {
            ToolError::input(FIELD, format!("the zip archive cannot be read: {error}"))
        })?;
    Ok(Archive { bytes, files })
}

/// A file found in the walk: where it is read from and its name in the archive.
struct Found {
    source: PathBuf,
    name: String,
}

fn zip_directory(allowed: &AllowedPaths, root: &Path) -> Result<Archive, ToolError> {
    let found = walk(allowed, root)?;
    if found.is_empty() {
        return Err(ToolError::input(FIELD, "the directory holds no files"));
    }
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    let mut total = 0u64;
    for file in &found {
        let bytes = fs::read(&file.source)
            .map_err(|error| refuse(&file.name, &error.kind().to_string()))?;
        total += bytes.len() as u64;
        if total > MAX_BYTES {
            return Err(ToolError::input(
                FIELD,
                format!(
                    "the files hold more than {MAX_BYTES} bytes; Hex's ingest is for a project's definitions"
                ),
            ));
        }
        writer
            .start_file(file.name.as_str(), options)
            .and_then(|()| writer.write_all(&bytes).map_err(Into::into))
            .map_err(|error| {
                ToolError::internal(format!("could not zip {}: {error}", file.name))
            })?;
    }
    let bytes = writer
        .finish()
        .map_err(|error| ToolError::internal(format!("could not finish the archive: {error}")))?
        .into_inner();
    Ok(Archive {
        bytes,
        files: found.len(),
    })
}

/// Every regular file under `root` (sorted, so the archive is the same for the same files).
fn walk(allowed: &AllowedPaths, root: &Path) -> Result<Vec<Found>, ToolError> {
    let mut found = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = pending.pop() {
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
            .map_err(|error| refuse(&prefix, &error.kind().to_string()))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(refuse(&prefix, "a file name is not valid UTF-8"));
            };
            if name.starts_with('.') {
                continue;
            }
            let relative = format!("{prefix}{name}");
            let path = entry.path();
            match kind_of(allowed, &path, &relative)? {
                Kind::Directory if depth + 1 >= MAX_DEPTH => {
                    return Err(refuse(&relative, "directories nest too deep"));
                }
                Kind::Directory => pending.push((path, format!("{relative}/"), depth + 1)),
                Kind::File(source) => found.push(Found {
                    source,
                    name: relative,
                }),
                Kind::Other => {}
            }
            if found.len() > MAX_FILES {
                return Err(ToolError::input(
                    FIELD,
                    format!("more than {MAX_FILES} files; give the project's own directory"),
                ));
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

enum Kind {
    Directory,
    File(PathBuf),
    Other,
}

/// What an entry is. A symbolic link counts as the file it leads to, if that file is inside an
/// allowed directory; a link out, or to a directory, is refused.
fn kind_of(allowed: &AllowedPaths, path: &Path, relative: &str) -> Result<Kind, ToolError> {
    let meta =
        fs::symlink_metadata(path).map_err(|error| refuse(relative, &error.kind().to_string()))?;
    if meta.is_dir() {
        return Ok(Kind::Directory);
    }
    if meta.is_file() {
        return Ok(Kind::File(path.to_path_buf()));
    }
    if !meta.file_type().is_symlink() {
        return Ok(Kind::Other);
    }
    let target = path.canonicalize().map_err(|error| {
        refuse(
            relative,
            &format!("a symbolic link that cannot be followed ({})", error.kind()),
        )
    })?;
    if !allowed.contains(&target) {
        return Err(refuse(
            relative,
            "a symbolic link that leads outside the directories this server may use",
        ));
    }
    if target.is_dir() {
        return Err(refuse(
            relative,
            "a symbolic link to a directory (not followed)",
        ));
    }
    Ok(Kind::File(target))
}

fn refuse(relative: &str, problem: &str) -> ToolError {
    let what = if relative.is_empty() {
        "the directory"
    } else {
        relative
    };
    ToolError::input(
        FIELD,
        format!("cannot use `{what}`: {problem}; nothing was sent"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hex-mcp-archive-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(bytes: &[u8]) -> Vec<String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
            .collect()
    }

    #[test]
    fn directories_are_zipped_without_hidden_files_and_links_out_are_refused() {
        let root = temp_dir("root");
        let outside = temp_dir("outside");
        fs::create_dir_all(root.join("project/views")).unwrap();
        fs::create_dir_all(root.join("project/.git")).unwrap();
        fs::write(root.join("project/orders.yml"), "id: orders").unwrap();
        fs::write(root.join("project/views/overview.yml"), "id: overview").unwrap();
        fs::write(root.join("project/.git/HEAD"), "ref").unwrap();
        fs::write(outside.join("secret.yml"), "id: secret").unwrap();
        let allowed = AllowedPaths::from_sources(std::slice::from_ref(&root), None).unwrap();

        let archive = build(&allowed, "project").unwrap();
        assert_eq!(archive.files, 2);
        assert_eq!(names(&archive.bytes), ["orders.yml", "views/overview.yml"]);

        std::os::unix::fs::symlink(outside.join("secret.yml"), root.join("project/leak.yml"))
            .unwrap();
        let error = build(&allowed, "project").err().unwrap().to_string();
        assert!(
            error.contains("leak.yml") && error.contains("outside"),
            "{error}"
        );
        assert!(!error.contains("id: secret"), "{error}");

        fs::remove_file(root.join("project/leak.yml")).unwrap();
        std::os::unix::fs::symlink(
            root.join("project/orders.yml"),
            root.join("project/again.yml"),
        )
        .unwrap();
        assert_eq!(build(&allowed, "project").unwrap().files, 3);

        fs::write(root.join("notes.txt"), "plain text").unwrap();
        let error = build(&allowed, "notes.txt").err().unwrap().to_string();
        assert!(error.contains("not a zip"), "{error}");
        fs::write(root.join("p.zip"), &archive.bytes).unwrap();
        assert_eq!(build(&allowed, "p.zip").unwrap().bytes, archive.bytes);
        fs::remove_dir_all(&root).unwrap();
        fs::remove_dir_all(&outside).unwrap();
    }
}
