//! CreatePresignedUrl: every option sent in Hex's names, the 300 s cap refused before sending,
//! unpublished projects refused by Hex.

use std::collections::BTreeMap;

use hex_client::HexError;
use hex_client::api::embedding::{DisplayOptions, EmbedScope, EmbedTheme, PresignedUrlRequest};
use serde_json::json;

use crate::common::{Env, api_error, no_hang};

#[tokio::test]
async fn a_presigned_url_carries_every_option() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let request = PresignedUrlRequest {
        hex_user_attributes: Some(BTreeMap::from([("team".to_owned(), "ops".to_owned())])),
        scope: Some(vec![EmbedScope::ExportCsv]),
        input_parameters: Some(json!({"days": 30}).as_object().unwrap().clone()),
        expires_in: Some(300_000),
        display_options: Some(DisplayOptions {
            theme: Some(EmbedTheme::Light),
            show_embedded_run_button: Some(true),
            ..DisplayOptions::default()
        }),
        test_mode: None,
    };
    let url = env.ok(no_hang(
        env.client
            .embedding()
            .create_presigned_url(&project, &request),
    )
    .await);
    assert!(url.url.contains(&project), "{}", url.url);
    assert_eq!(
        state.presigned_urls(),
        [(project.clone(), url.url.clone(), 300_000, false)]
    );
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        logged,
        json!({"hexUserAttributes": {"team": "ops"}, "scope": ["EXPORT_CSV"],
            "inputParameters": {"days": 30}, "expiresIn": 300_000,
            "displayOptions": {"theme": "light", "showEmbeddedRunButton": true}})
    );
    // Each call signs a new URL; the default lifetime is Hex's 15 s.
    let again = env.ok(no_hang(
        env.client
            .embedding()
            .create_presigned_url(&project, &PresignedUrlRequest::default()),
    )
    .await);
    assert_ne!(again.url, url.url);
    assert_eq!(state.presigned_urls()[1].2, 15_000);
}

#[tokio::test]
async fn lifetimes_over_300_seconds_and_unpublished_projects_are_refused() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    for ms in [0, 300_001] {
        let request = PresignedUrlRequest {
            expires_in: Some(ms),
            ..PresignedUrlRequest::default()
        };
        let err = env.err(
            no_hang(
                env.client
                    .embedding()
                    .create_presigned_url(&project, &request),
            )
            .await,
        );
        assert!(matches!(err, HexError::InvalidInput { .. }), "{err}");
    }
    assert!(env.sandbox.requests().is_empty(), "refused before sending");
    let unpublished = state.unpublished_project_ids()[0].clone();
    let err = env.err(
        no_hang(
            env.client
                .embedding()
                .create_presigned_url(&unpublished, &PresignedUrlRequest::default()),
        )
        .await,
    );
    api_error(&err, 422);
    assert_eq!(
        env.sandbox
            .count_requests("POST", "/v1/embedding/createPresignedUrl/*"),
        1,
        "never retried"
    );
}
