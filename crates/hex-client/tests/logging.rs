#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Debug logs name the method, path template, status and duration, and never the token.

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use common::{PROJECT_ID, TOKEN, client, project_json};
use hex_client::api::projects::GetProjectParams;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Records every event and span field, at every level, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.0.lock().unwrap();
        span.record(&mut Line(&mut out));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Line(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        out.push('\n');
        out.push_str(event.metadata().target());
        event.record(&mut Line(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn request_logs_have_the_template_and_status_but_no_token() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(project_json(PROJECT_ID)))
        .mount(&server)
        .await;
    client(&server)
        .projects()
        .get(
            PROJECT_ID,
            &GetProjectParams {
                include_sharing: true,
            },
        )
        .await
        .unwrap();

    let logs = capture.0.lock().unwrap().clone();
    let ours: Vec<&str> = logs
        .lines()
        .filter(|l| l.starts_with("hex_client"))
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.contains("path=\"/v1/projects/{projectId}\"") && l.contains("status=429")),
        "{logs}"
    );
    assert!(
        ours.iter().any(|l| l.contains("method=\"GET\"")
            && l.contains("status=200")
            && l.contains("elapsed_ms=")),
        "{logs}"
    );
    assert!(
        ours.iter().any(|l| l.contains("retrying Hex request")),
        "{logs}"
    );
    assert!(!logs.contains(TOKEN), "the token leaked into logs:\n{logs}");
    assert!(
        !logs.contains(PROJECT_ID),
        "ids belong in the template only:\n{logs}"
    );
}
