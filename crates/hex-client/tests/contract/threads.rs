//! Hex's agent: CreateThread and GetThread through a thread's life, ContinueThread refused while
//! RUNNING, ListThreads with every filter (as Hex spells them on the wire), GetThreadMessages
//! newest page first, ListTopics, and what the client refuses before sending.

use std::time::Duration;

use hex_client::api::PageParams;
use hex_client::api::threads::{
    Attachments, ContinueThreadRequest, CreateThreadRequest, GetThreadMessagesParams,
    ListThreadsParams, ResponseBlock, Thread, ThreadSource, ThreadStatus, ThreadType,
    ThreadWarningType,
};
use hex_client::api::users::OrgRole;
use hex_client::{HexError, PageCaps};
use hex_sandbox::SandboxConfig;

use crate::common::{Env, api_error, config, no_hang};

const REVENUE: &str = "What was revenue by month last quarter?";

fn quick_threads() -> SandboxConfig {
    SandboxConfig {
        thread_running: Duration::from_millis(300),
        ..config()
    }
}

/// Polls GetThread until the agent is done (bounded by the hang limit).
async fn until_done(env: &Env, thread_id: &str) -> Thread {
    no_hang(async {
        loop {
            let thread = env.ok(env.client.threads().get(thread_id).await);
            if thread.status.is_done() {
                return thread;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

#[tokio::test]
async fn a_thread_is_created_followed_and_answers_in_typed_blocks() {
    let env = Env::with(quick_threads()).await;
    let project = env.sandbox.state().project_ids()[0].clone();
    let connection = env.sandbox.state().connection_ids()[0].clone();
    let request = CreateThreadRequest {
        attachments: Some(Attachments {
            data_connection_id: Some(connection.clone()),
            project_ids: vec![project.clone()],
            table_ids: vec!["orders".into()],
            ..Attachments::default()
        }),
        ..CreateThreadRequest::new(REVENUE)
    };
    let created = env.ok(no_hang(env.client.threads().create(&request)).await);
    assert!(created.url.contains(&created.thread_id));
    assert!(created.created_at.is_some());
    assert_eq!(created.project_id, None);
    // The body went out as Hex names it, without the keys left unset.
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(logged["prompt"], REVENUE);
    assert_eq!(
        logged["attachments"]["dataConnectionId"],
        connection.as_str()
    );
    assert_eq!(logged["attachments"]["projectIds"][0], project.as_str());
    assert_eq!(logged["attachments"]["tableIds"][0], "orders");
    assert!(logged["attachments"].get("semanticViewIds").is_none());
    assert!(logged.get("newProject").is_none() && logged.get("muted").is_none());

    let running = env.ok(env.client.threads().get(&created.thread_id).await);
    assert_eq!(running.status, ThreadStatus::Running);
    let thread = until_done(&env, &created.thread_id).await;
    assert_eq!(thread.status, ThreadStatus::Idle);
    assert!(thread.error.is_none());
    assert_eq!(thread.info.title.as_deref(), Some(REVENUE));
    assert_eq!(thread.info.source.as_deref(), Some("PUBLIC_API"));
    assert!(thread.info.credits_used.is_some_and(|c| c > 0.0));
    // The attached project is where the agent worked.
    let projects: Vec<&str> = thread
        .blocks()
        .iter()
        .filter_map(|b| match b {
            ResponseBlock::Project(p) => Some(p.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(projects, [project.as_str()]);
    let kinds: Vec<&str> = thread
        .blocks()
        .iter()
        .map(|b| match b {
            ResponseBlock::Text(_) => "text",
            ResponseBlock::Cell(_) => "cell",
            ResponseBlock::Project(_) => "project",
            ResponseBlock::Task(_) => "task",
            ResponseBlock::Unknown(_) => "unknown",
        })
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "task").count(), 3);
    assert!(kinds.contains(&"text") && !kinds.contains(&"unknown"));
    let resources: Vec<&str> = thread
        .resources
        .iter()
        .map(|r| r.resource_type.as_str())
        .collect();
    assert_eq!(resources, ["DATA_CONNECTION", "PROJECT"]);
}

#[tokio::test]
async fn a_follow_up_is_refused_while_running_and_taken_when_idle() {
    let env = Env::with(quick_threads()).await;
    let created = env.ok(env
        .client
        .threads()
        .create(&CreateThreadRequest::new(REVENUE))
        .await);
    let id = created.thread_id;
    let follow_up = ContinueThreadRequest {
        prompt: "Split it by region".into(),
        attachments: None,
    };
    let refused = env.err(env.client.threads().follow_up(&id, &follow_up).await);
    assert!(api_error(&refused, 400).contains("RUNNING"));
    until_done(&env, &id).await;
    let taken = env.ok(env.client.threads().follow_up(&id, &follow_up).await);
    assert_eq!(taken.thread_id, id);
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(logged, serde_json::json!({"prompt": "Split it by region"}));
    let after = until_done(&env, &id).await;
    assert_eq!(after.status, ThreadStatus::Idle);
    assert_eq!(env.sandbox.state().thread_prompts(&id).len(), 2);

    // A follow-up is a POST that spends the agent's time: never repeated, even on a 503.
    env.sandbox.inject(hex_sandbox::FaultRule::status(
        "POST",
        "/v1/threads/*/followup",
        503,
    ));
    let failed = env.err(env.client.threads().follow_up(&id, &follow_up).await);
    assert!(matches!(failed, HexError::Unavailable { .. }), "{failed:?}");
    assert_eq!(
        env.sandbox.count_requests("POST", "/v1/threads/*/followup"),
        3
    );
}

#[tokio::test]
async fn list_threads_sends_every_filter_as_hex_names_it() {
    let env = Env::start().await;
    let params = ListThreadsParams {
        limit: Some(5),
        source: Some(ThreadSource::Slack),
        user_id: Some("u1".into()),
        kind: Some(ThreadType::Threads),
        num_days: Some(400),
        has_feedback: Some(false),
        roles: vec![OrgRole::Admin, OrgRole::Editor],
        warnings: vec![ThreadWarningType::UserDoubt, ThreadWarningType::Other],
        topic_ids: vec!["t1".into(), "t2".into()],
        resource_ids: vec!["r1".into()],
        ..ListThreadsParams::default()
    };
    let page = env.ok(env.client.threads().list(&params).await);
    assert!(page.values.is_empty(), "no thread is by user u1");
    let query = env
        .sandbox
        .requests()
        .last()
        .unwrap()
        .query
        .clone()
        .unwrap();
    for part in [
        "limit=5",
        "source=SLACK",
        "userId=u1",
        "type=THREADS",
        "numDays=400",
        "hasFeedback=false",
        "roles=ADMIN%2CEDITOR",
        "warnings=USER_DOUBT%2COTHER",
        "topicIds=t1%2Ct2",
        "resourceIds=r1",
    ] {
        assert!(query.split('&').any(|p| p == part), "{part} not in {query}");
    }

    // Slack threads, read from `threads` into pages, walked to the end.
    let slack = ListThreadsParams {
        source: Some(ThreadSource::Slack),
        ..ListThreadsParams::default()
    };
    let walked = env.ok(no_hang(
        env.client
            .threads()
            .pages(slack.clone(), PageCaps::default().page_size(2))
            .collect_items(),
    )
    .await);
    assert!(!walked.items.is_empty());
    assert!(
        walked
            .items
            .iter()
            .all(|t| t.info.source.as_deref() == Some("SLACK"))
    );
    let one_page = env.ok(env
        .client
        .threads()
        .list(&ListThreadsParams {
            limit: Some(100),
            ..slack
        })
        .await);
    let ids = |items: &[hex_client::api::threads::ThreadSummary]| {
        items.iter().map(|t| t.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&walked.items), ids(&one_page.values));
    assert!(one_page.values.iter().all(|t| t.org_id.is_some()));
}

#[tokio::test]
async fn messages_come_newest_page_first_and_topics_by_name() {
    let env = Env::with(quick_threads()).await;
    let created = env.ok(env
        .client
        .threads()
        .create(&CreateThreadRequest::new(REVENUE))
        .await);
    until_done(&env, &created.thread_id).await;
    let threads = env.client.threads();
    let newest = env.ok(threads
        .messages(
            &created.thread_id,
            &GetThreadMessagesParams {
                limit: Some(1),
                ..GetThreadMessagesParams::default()
            },
        )
        .await);
    assert_eq!(newest.values.len(), 1);
    assert!(newest.values[0].text.starts_with("Assistant: "));
    assert_eq!(newest.values[0].kind, "text");
    let older = env.ok(threads
        .messages(
            &created.thread_id,
            &GetThreadMessagesParams {
                limit: Some(50),
                before: newest.pagination.before.clone(),
                ..GetThreadMessagesParams::default()
            },
        )
        .await);
    assert_eq!(older.values.len(), 2);
    assert_eq!(older.values[0].text, format!("User: {REVENUE}"));
    let full = GetThreadMessagesParams {
        full: true,
        ..GetThreadMessagesParams::default()
    };
    let all = env.ok(threads.messages(&created.thread_id, &full).await);
    assert!(all.values.len() > 3);
    let query = env
        .sandbox
        .requests()
        .last()
        .unwrap()
        .query
        .clone()
        .unwrap();
    assert!(query.contains("full=true"), "{query}");

    let walked = env.ok(no_hang(
        threads
            .topic_pages(PageParams::default(), PageCaps::default().page_size(3))
            .collect_items(),
    )
    .await);
    let names: Vec<String> = walked.items.iter().map(|t| t.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(
        walked
            .items
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>(),
        env.sandbox.state().topic_ids()
    );
}

#[tokio::test]
async fn an_error_thread_and_an_unknown_thread() {
    let env = Env::with(quick_threads()).await;
    let created = env.ok(env
        .client
        .threads()
        .create(&CreateThreadRequest::new("[sandbox:error] churn"))
        .await);
    let thread = until_done(&env, &created.thread_id).await;
    assert_eq!(thread.status, ThreadStatus::Error);
    let error = thread.error.unwrap();
    assert_eq!(error.kind.as_str(), "AGENT_ERROR");
    assert!(error.kind.is_known());
    let missing = env.err(
        env.client
            .threads()
            .get("0123456789abcdef0123456789abcdef")
            .await,
    );
    assert!(api_error(&missing, 404).contains("Thread not found"));
}

#[tokio::test]
async fn bad_requests_are_refused_before_sending() {
    let env = Env::start().await;
    let threads = env.client.threads();
    let both = CreateThreadRequest {
        project_id: Some("p".into()),
        new_project: Some(true),
        ..CreateThreadRequest::new("q")
    };
    let no_days = ListThreadsParams {
        num_days: Some(0),
        ..ListThreadsParams::default()
    };
    let too_many = GetThreadMessagesParams {
        limit: Some(51),
        ..GetThreadMessagesParams::default()
    };
    let errors = [
        threads.create(&CreateThreadRequest::new("")).await.err(),
        threads.create(&both).await.err(),
        threads
            .follow_up("t", &ContinueThreadRequest::default())
            .await
            .err(),
        threads.get("..").await.err(),
        threads.list(&no_days).await.err(),
        threads.messages("t", &too_many).await.err(),
    ];
    for error in errors {
        assert!(
            matches!(error, Some(HexError::InvalidInput { .. })),
            "{error:?}"
        );
    }
    assert!(env.sandbox.requests().is_empty());
}
