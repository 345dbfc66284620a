//! Hex's agent: CreateThread, ContinueThread, GetThread, ListThreads, GetThreadMessages and
//! ListTopics, with threads that run for `thread_running` and then answer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hex_sandbox::SandboxConfig;
use serde_json::{Value, json};

use crate::common::{Api, assert_error, config};

const REVENUE: &str = "What was revenue by month last quarter?";

fn quick_threads() -> SandboxConfig {
    SandboxConfig {
        thread_running: Duration::from_millis(600),
        ..config()
    }
}

fn slow_threads() -> SandboxConfig {
    SandboxConfig {
        thread_running: Duration::from_secs(60),
        ..config()
    }
}

async fn ask(api: &Api, body: Value) -> Value {
    let answer = api.post("/threads", body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// Polls GetThread until the thread is no longer RUNNING (bounded), returning every status seen.
async fn until_done(api: &Api, id: &str) -> (Vec<String>, Value) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let answer = api.get(&format!("/threads/{id}")).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let status = answer.body["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status != "RUNNING" || Instant::now() > deadline {
            return (seen, answer.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn blocks<'a>(thread: &'a Value, kind: &str) -> Vec<&'a Value> {
    thread["response"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == kind)
        .collect()
}

#[tokio::test]
async fn a_thread_runs_then_answers_with_real_projects_and_cells() {
    let api = Api::with(quick_threads()).await;
    let created = ask(&api, json!({"prompt": REVENUE})).await;
    let id = created["threadId"].as_str().unwrap();
    assert!(created["url"].as_str().unwrap().ends_with(id));
    assert!(created["projectId"].is_null());

    let (seen, thread) = until_done(&api, id).await;
    assert_eq!(seen, ["RUNNING", "IDLE"]);
    assert!(thread["error"].is_null());
    assert_eq!(blocks(&thread, "task").len(), 3);
    let project = blocks(&thread, "project")[0];
    let read = api
        .get(&format!("/projects/{}", project["id"].as_str().unwrap()))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["title"], project["title"]);
    // The prompt's words choose the project.
    assert!(
        project["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("revenue")
    );
    let cell = blocks(&thread, "cell")[0];
    let read = api
        .get(&format!("/cells/{}", cell["id"].as_str().unwrap()))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["staticId"], cell["staticId"]);
    assert_eq!(read.body["projectId"], project["id"]);
    assert_eq!(read.body["label"], cell["label"]);
    let text = blocks(&thread, "text")[0]["text"].as_str().unwrap();
    assert!(text.contains(project["title"].as_str().unwrap()));

    // The same prompt gets the same answer; another prompt other figures.
    let again = ask(&api, json!({"prompt": REVENUE})).await;
    let (_, again) = until_done(&api, again["threadId"].as_str().unwrap()).await;
    assert_eq!(blocks(&again, "text")[0]["text"], text);
    let other = ask(&api, json!({"prompt": "What was revenue by week?"})).await;
    let (_, other) = until_done(&api, other["threadId"].as_str().unwrap()).await;
    assert_ne!(blocks(&other, "text")[0]["text"], text);
}

#[tokio::test]
async fn tasks_appear_while_the_thread_runs() {
    let api = Api::with(SandboxConfig {
        thread_running: Duration::from_millis(2_000),
        ..config()
    })
    .await;
    let created = ask(&api, json!({"prompt": REVENUE})).await;
    let id = created["threadId"].as_str().unwrap();
    let first = api.get(&format!("/threads/{id}")).await.body;
    assert_eq!(first["status"], "RUNNING");
    // Nothing yet: the response is null until the first task starts.
    assert!(first["response"].is_null(), "{first}");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let later = api.get(&format!("/threads/{id}")).await.body;
    assert_eq!(later["status"], "RUNNING");
    let tasks = blocks(&later, "task").len();
    assert!((1..3).contains(&tasks), "{later}");
    assert!(blocks(&later, "text").is_empty());
}

#[tokio::test]
async fn a_named_project_or_a_new_one_backs_the_thread() {
    let api = Api::with(quick_threads()).await;
    // A project whose title shares the prompt's words is chosen.
    let made = api
        .post("/projects", json!({"title": "Zanzibar lighthouse metrics"}))
        .await
        .body;
    let made_id = made["id"].as_str().unwrap();
    let asked = ask(
        &api,
        json!({"prompt": "How bright is the zanzibar lighthouse?"}),
    )
    .await;
    let (_, thread) = until_done(&api, asked["threadId"].as_str().unwrap()).await;
    assert_eq!(blocks(&thread, "project")[0]["id"], made_id);
    assert!(
        blocks(&thread, "cell").is_empty(),
        "the new project has no cells"
    );

    // projectId: the thread works there and says so.
    let project = api.sandbox.state().project_ids()[3].clone();
    let asked = ask(&api, json!({"prompt": REVENUE, "projectId": project})).await;
    assert_eq!(asked["projectId"], project.as_str());
    let (_, thread) = until_done(&api, asked["threadId"].as_str().unwrap()).await;
    assert_eq!(blocks(&thread, "project")[0]["id"], project.as_str());
    assert_eq!(thread["type"], "NOTEBOOK");
    assert_eq!(thread["resources"][0]["id"], project.as_str());

    // newProject: a new project with the agent's cell.
    let asked = ask(&api, json!({"prompt": REVENUE, "newProject": true})).await;
    let new_id = asked["projectId"].as_str().unwrap();
    assert!(
        api.sandbox
            .state()
            .project_ids()
            .contains(&new_id.to_owned())
    );
    let cells = api.get(&format!("/cells?projectId={new_id}")).await.body;
    assert_eq!(cells["values"][0]["label"], "Agent query");
    let (_, thread) = until_done(&api, asked["threadId"].as_str().unwrap()).await;
    assert_eq!(blocks(&thread, "cell")[0]["id"], cells["values"][0]["id"]);

    // Both at once, an unknown project, an empty prompt: 400, nothing created.
    let before = api.sandbox.state().thread_ids().len();
    let both = api
        .post(
            "/threads",
            json!({"prompt": "q", "projectId": project, "newProject": true}),
        )
        .await;
    assert_error(&both, 400, "mutually exclusive");
    let unknown = api
        .post(
            "/threads",
            json!({"prompt": "q", "projectId": "00000000-0000-4000-8000-00000000beef"}),
        )
        .await;
    assert_error(&unknown, 400, "projectId");
    let attached = api
        .post(
            "/threads",
            json!({"prompt": "q", "attachments": {"dataConnectionId": "nope"}}),
        )
        .await;
    assert_error(&attached, 400, "attachments.dataConnectionId");
    let empty = api.post("/threads", json!({"prompt": ""})).await;
    assert_error(&empty, 400, "prompt");
    assert_eq!(api.sandbox.state().thread_ids().len(), before);
}

#[tokio::test]
async fn follow_ups_need_an_idle_thread() {
    let api = Api::with(quick_threads()).await;
    let created = ask(&api, json!({"prompt": REVENUE})).await;
    let id = created["threadId"].as_str().unwrap();
    let refused = api
        .post(
            &format!("/threads/{id}/followup"),
            json!({"prompt": "by region"}),
        )
        .await;
    assert_error(&refused, 400, "still RUNNING");
    assert_eq!(api.sandbox.state().thread_prompts(id), [REVENUE]);

    until_done(&api, id).await;
    let taken = api
        .post(
            &format!("/threads/{id}/followup"),
            json!({"prompt": "by region"}),
        )
        .await;
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(taken.body["threadId"], id);
    assert_eq!(
        api.get(&format!("/threads/{id}")).await.body["status"],
        "RUNNING"
    );
    let (seen, _) = until_done(&api, id).await;
    assert_eq!(seen.last().unwrap(), "IDLE");
    assert_eq!(
        api.sandbox.state().thread_prompts(id),
        [REVENUE, "by region"]
    );

    // An ERROR thread takes none either; an unknown one is 404.
    let failing = ask(&api, json!({"prompt": "[sandbox:error] revenue"})).await;
    let failing = failing["threadId"].as_str().unwrap();
    let (seen, thread) = until_done(&api, failing).await;
    assert_eq!(seen.last().unwrap(), "ERROR");
    assert_eq!(thread["error"]["type"], "AGENT_ERROR");
    let refused = api
        .post(
            &format!("/threads/{failing}/followup"),
            json!({"prompt": "again"}),
        )
        .await;
    assert_error(&refused, 400, "ERROR");
    let unknown = api
        .post(
            "/threads/0123456789abcdef0123456789abcdef/followup",
            json!({"prompt": "x"}),
        )
        .await;
    assert_error(&unknown, 404, "Thread not found");
}

#[tokio::test]
async fn messages_come_newest_page_first() {
    let api = Api::with(quick_threads()).await;
    let created = ask(&api, json!({"prompt": REVENUE})).await;
    let id = created["threadId"].as_str().unwrap();
    let (_, thread) = until_done(&api, id).await;
    let answer = blocks(&thread, "text")[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let texts = |page: &Value| -> Vec<String> {
        page["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = api.get(&format!("/threads/{id}/messages")).await.body;
    let all_texts = texts(&all);
    assert_eq!(all_texts.len(), 3);
    assert_eq!(all_texts[0], format!("User: {REVENUE}"));
    assert!(all_texts[1].starts_with("Assistant [thinking]: "));
    assert_eq!(all_texts[2], format!("Assistant: {answer}"));
    assert!(all["pagination"]["after"].is_null() && all["pagination"]["before"].is_null());

    let newest = api
        .get(&format!("/threads/{id}/messages?limit=2"))
        .await
        .body;
    assert_eq!(texts(&newest), all_texts[1..]);
    assert!(newest["pagination"]["after"].is_null());
    let before = newest["pagination"]["before"].as_str().unwrap();
    let older = api
        .get(&format!("/threads/{id}/messages?limit=2&before={before}"))
        .await
        .body;
    assert_eq!(texts(&older), all_texts[..1]);
    let after = older["pagination"]["after"].as_str().unwrap();
    let back = api
        .get(&format!("/threads/{id}/messages?limit=2&after={after}"))
        .await
        .body;
    assert_eq!(texts(&back), all_texts[1..]);

    let full = api
        .get(&format!("/threads/{id}/messages?full=true&limit=50"))
        .await
        .body;
    let records: Vec<Value> = texts(&full)
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    assert_eq!(records.len(), 6, "a call and a result per task");
    assert!(records.iter().all(|r| r["role"].is_string()));

    for bad in ["limit=0", "limit=51", "full=maybe"] {
        let answer = api.get(&format!("/threads/{id}/messages?{bad}")).await;
        assert_error(&answer, 400, "Invalid value");
    }
    let cursor = api
        .get(&format!("/threads/{id}/messages?before={}", "bm9wZQ"))
        .await;
    assert_error(&cursor, 400, "cursor");
    let unknown = api
        .get("/threads/0123456789abcdef0123456789abcdef/messages")
        .await;
    assert_error(&unknown, 404, "Thread not found");
}

/// Every thread ListThreads returns for `query`, following `after`.
async fn list_all(api: &Api, query: &str) -> Vec<Value> {
    let mut threads = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let path = match &after {
            Some(cursor) => format!("/threads?limit=7&{query}&after={cursor}"),
            None => format!("/threads?limit=7&{query}"),
        };
        let page = api.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        threads.extend(page.body["threads"].as_array().unwrap().iter().cloned());
        match page.body["pagination"]["after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return threads,
        }
    }
    panic!("ListThreads never ended for {query}");
}

fn ids(threads: &[Value]) -> Vec<String> {
    threads
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_filters_keep_exactly_the_threads_they_name() {
    let api = Api::with(slow_threads()).await;
    let mine = ask(&api, json!({"prompt": REVENUE})).await;
    let muted = ask(&api, json!({"prompt": "scratch", "muted": true})).await;
    let all = list_all(&api, "").await;
    assert_eq!(
        all.len(),
        25,
        "24 seeded and one asked; the muted one is left out"
    );
    assert_eq!(all[0]["id"], mine["threadId"]);
    assert!(!ids(&all).contains(&muted["threadId"].as_str().unwrap().to_owned()));
    let created: Vec<&str> = all
        .iter()
        .map(|t| t["createdAt"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let users = api.get("/users?limit=500").await.body;
    let roles: HashMap<String, String> = users["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_owned(),
                u["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let user = all
        .iter()
        .find_map(|t| t["userId"].as_str())
        .unwrap()
        .to_owned();
    let topic = all
        .iter()
        .find_map(|t| t["topics"][0]["id"].as_str())
        .unwrap()
        .to_owned();
    // numDays counts back from now: pick the count that splits the seeded threads in two.
    let now = time_of(mine["createdAt"].as_str().unwrap());
    let median = time_of(all[all.len() / 2]["createdAt"].as_str().unwrap());
    let days = (now - median) / 86_400_000;
    let cutoff = now - days * 86_400_000;
    type Keep = Box<dyn Fn(&Value) -> bool>;
    let role_of = move |t: &Value| t["userId"].as_str().and_then(|id| roles.get(id).cloned());
    let topic_id = topic.clone();
    let user_id = user.clone();
    let filters: Vec<(String, Keep)> = vec![
        ("source=SLACK".into(), Box::new(|t| t["source"] == "SLACK")),
        (
            "type=NOTEBOOK".into(),
            Box::new(|t| t["type"] == "NOTEBOOK"),
        ),
        (
            format!("userId={user}"),
            Box::new(move |t| t["userId"] == user_id.as_str()),
        ),
        (
            format!("numDays={days}"),
            Box::new(move |t| time_of(t["createdAt"].as_str().unwrap()) >= cutoff),
        ),
        (
            "hasFeedback=true".into(),
            Box::new(|t| !t["feedback"].as_array().unwrap().is_empty()),
        ),
        (
            "hasFeedback=false".into(),
            Box::new(|t| t["feedback"].as_array().unwrap().is_empty()),
        ),
        (
            "roles=MANAGER,EDITOR".into(),
            Box::new(move |t| role_of(t).is_some_and(|r| r == "MANAGER" || r == "EDITOR")),
        ),
        (
            "warnings=USER_DOUBT,OTHER".into(),
            Box::new(|t| {
                t["warnings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| w["type"] == "USER_DOUBT" || w["type"] == "OTHER")
            }),
        ),
        (
            format!("topicIds={topic}"),
            Box::new(move |t| {
                t["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == topic_id.as_str())
            }),
        ),
    ];
    for (query, keep) in &filters {
        let expected: Vec<Value> = all.iter().filter(|t| keep(t)).cloned().collect();
        let got = list_all(&api, query).await;
        assert_eq!(ids(&got), ids(&expected), "{query}");
        assert!(!expected.is_empty(), "{query} should keep something");
        assert!(
            expected.len() < all.len(),
            "{query} should leave something out"
        );
    }

    for bad in [
        "source=WEB",
        "type=threads",
        "numDays=0",
        "roles=ADMIN,OWNER",
        "warnings=BAD",
        "limit=101",
    ] {
        let answer = api.get(&format!("/threads?{bad}")).await;
        assert_error(&answer, 400, "Invalid value");
    }
}

/// Milliseconds since the epoch of a `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp.
fn time_of(text: &str) -> i64 {
    let number = |range: std::ops::Range<usize>| text[range].parse::<i64>().unwrap();
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = number(11..13) * 3600 + number(14..16) * 60 + number(17..19);
    (days * 86_400 + seconds) * 1000 + number(20..23)
}

#[tokio::test]
async fn private_threads_hide_their_contents_from_others() {
    let api = Api::start().await;
    let me = api.sandbox.state().me_id();
    let all = list_all(&api, "").await;
    let private = all
        .iter()
        .find(|t| t["sensitive"] == true && t["userId"] != me.as_str())
        .expect("a seeded private thread of another user");
    assert!(private["title"].is_null());
    let id = private["id"].as_str().unwrap();
    let read = api.get(&format!("/threads/{id}")).await.body;
    assert!(read["title"].is_null() && read["response"].is_null());
    let messages = api.get(&format!("/threads/{id}/messages")).await;
    assert_error(&messages, 403, "private");
    assert!(
        all.iter()
            .filter(|t| t["sensitive"] == false)
            .all(|t| t["title"].is_string())
    );
}

#[tokio::test]
async fn topics_are_sorted_by_name_and_paged() {
    let api = Api::start().await;
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(cursor) => format!("/context/topics?limit=3&after={cursor}"),
            None => "/context/topics?limit=3".to_owned(),
        };
        let page = api.get(&path).await.body;
        for topic in page["topics"].as_array().unwrap() {
            names.push(topic["name"].as_str().unwrap().to_owned());
        }
        match page["pagination"]["after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(names.len(), api.sandbox.state().topic_ids().len());
    assert!(names.len() >= 5);
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    let bad = api.get("/context/topics?limit=0").await;
    assert_error(&bad, 400, "limit");
}

#[tokio::test]
async fn unknown_threads_are_404_in_the_new_error_shape() {
    let api = Api::start().await;
    for path in [
        "/threads/0123456789abcdef0123456789abcdef",
        "/threads/01234567-89ab-cdef-0123-456789abcdef",
        "/threads/not-a-thread",
    ] {
        let answer = api.get(path).await;
        assert_error(&answer, 404, "Thread not found");
        assert_eq!(answer.body["code"], "NOT_FOUND");
    }
}
