//! Every tool's name, title, description, input schema and annotations as `tools/list` shows
//! them, one snapshot per tool: a change to what models see is a visible, reviewed diff.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Launch;

#[tokio::test]
async fn tools_list_matches_the_snapshots() {
    let session = Launch::embedded()
        .arg("--toolsets")
        .arg("all")
        .start()
        .await;
    let tools = session.client.list_all_tools().await.unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("toolsnaps");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for tool in &tools {
            insta::assert_json_snapshot!(tool.name.to_string(), tool);
        }
    });
    session.finish().await;
}
