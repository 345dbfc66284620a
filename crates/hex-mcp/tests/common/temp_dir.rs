//! Temporary directories the tests give the server (its HOME, the `--allow-path` the file tools
//! read), each removed when dropped, so test runs do not pile directories up in the system's
//! temporary directory.
#![allow(clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicUsize, Ordering},
};

/// Tells apart the directories of tests running side by side in one process.
static MADE: AtomicUsize = AtomicUsize::new(0);

pub struct TempDir {
    root: PathBuf,
}

impl TempDir {
    /// An empty directory of its own, named after `purpose`, this process and a count: one
    /// test's removing its directory cannot pull another's from under it.
    pub fn new(purpose: &str) -> TempDir {
        let made = MADE.fetch_add(1, Ordering::Relaxed);
        let name = format!("hex-mcp-{purpose}-{}-{made}", std::process::id());
        let root = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&root).unwrap();
        TempDir { root }
    }

    /// A directory holding a small semantic project at `semantic/`, for the ingest tool.
    pub fn with_semantic_project(purpose: &str) -> TempDir {
        let dir = TempDir::new(purpose);
        let project = dir.root.join("semantic");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            project.join("orders.yml"),
            "id: orders\nbase_sql_table: a.b.c\n",
        )
        .unwrap();
        dir
    }

    pub fn path(&self) -> &Path {
        &self.root
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
