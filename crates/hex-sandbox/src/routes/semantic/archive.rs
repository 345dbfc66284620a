//! The zip archive of an ingest, read with limits (an archive is untrusted input: a zip bomb or a
//! path that climbs out must cost nothing).

use std::io::{Cursor, Read};

/// Most files an archive may hold.
const MAX_FILES: usize = 2_000;
/// Most bytes its files may hold once unpacked.
const MAX_UNPACKED: u64 = 32 * 1024 * 1024;

/// The archive's files as (path with `/` separators, contents), directories left out; or why
/// the archive cannot be read.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| format!("the archive is not a readable zip file ({error})"))?;
    if archive.len() > MAX_FILES {
        return Err(format!(
            "the archive holds {} entries; at most {MAX_FILES} are accepted",
            archive.len()
        ));
    }
    let mut files = Vec::new();
    let mut budget = MAX_UNPACKED;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|error| format!("entry {index} cannot be read ({error})"))?;
        if entry.is_dir() {
            continue;
        }
        let path = entry
            .enclosed_name()
            .and_then(|path| path.to_str().map(|text| text.replace('\\', "/")))
            .ok_or_else(|| format!("entry {index} has an unsafe or unreadable path"))?;
        let mut contents = Vec::new();
        (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut contents)
            .map_err(|error| format!("{path} cannot be unpacked ({error})"))?;
        let size = contents.len() as u64;
        if size > budget {
            return Err(format!(
                "the archive unpacks to more than {MAX_UNPACKED} bytes"
            ));
        }
        budget -= size;
        files.push((path, contents));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in files {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_files_and_refuses_what_is_not_a_zip() {
        let bytes = zip_of(&[("models/orders.yml", "id: orders"), ("README.md", "hi")]);
        let files = read(&bytes).unwrap();
        assert_eq!(
            files[0],
            ("models/orders.yml".to_owned(), b"id: orders".to_vec())
        );
        assert_eq!(files.len(), 2);
        assert!(
            read(b"not a zip")
                .unwrap_err()
                .contains("not a readable zip")
        );
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        let bytes = zip_of(&[("../evil.yml", "id: x")]);
        assert!(read(&bytes).unwrap_err().contains("unsafe"));
    }
}
