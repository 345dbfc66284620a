//! The README's tool reference is the registry's, so it cannot drift: regenerate it with
//! `bash scripts/readme-tools.sh` after changing a tool.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[test]
fn the_readme_tool_reference_matches_the_registry() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let begin = readme.find("<!-- tools:begin -->\n").unwrap() + "<!-- tools:begin -->\n".len();
    let end = readme.find("<!-- tools:end -->").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"))
        .args(["tools", "--markdown", "--toolsets", "all"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        &readme[begin..end],
        generated,
        "README.md's tool reference is stale: run `bash scripts/readme-tools.sh`"
    );
}
