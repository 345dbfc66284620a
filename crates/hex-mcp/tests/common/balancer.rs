//! A round-robin HTTP load balancer for tests: each request goes to the next replica, as an
//! ordinary balancer without sticky sessions sends it, so a test can tell whether replicas
//! behave as one server.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    response::Response,
};

pub struct Balancer {
    pub url: String,
    /// Requests forwarded to each replica, in the replicas' order.
    pub forwarded: Arc<Vec<AtomicUsize>>,
}

struct Shared {
    replicas: Vec<String>,
    next: AtomicUsize,
    forwarded: Arc<Vec<AtomicUsize>>,
    http: reqwest::Client,
}

impl Balancer {
    /// Balances `/mcp` over the replicas' base URLs (`http://127.0.0.1:PORT`).
    pub async fn start(replicas: Vec<String>) -> Balancer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let forwarded = Arc::new(replicas.iter().map(|_| AtomicUsize::new(0)).collect());
        let shared = Arc::new(Shared {
            replicas,
            next: AtomicUsize::new(0),
            forwarded: Arc::clone(&forwarded),
            http: reqwest::Client::new(),
        });
        let router = axum::Router::new().fallback(forward).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Balancer {
            url: format!("http://{address}/mcp"),
            forwarded,
        }
    }

    pub fn counts(&self) -> Vec<usize> {
        self.forwarded
            .iter()
            .map(|count| count.load(Ordering::SeqCst))
            .collect()
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let turn = shared.next.fetch_add(1, Ordering::SeqCst) % shared.replicas.len();
    shared.forwarded[turn].fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let url = format!("{}{path}", shared.replicas[turn]);
    let body = to_bytes(body, usize::MAX).await.unwrap();
    let mut outgoing = shared.http.request(parts.method, url).body(body);
    for (name, value) in &parts.headers {
        // The replica's own address is the Host it checks, as behind a real balancer.
        if name != "host" {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.send().await.unwrap();
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    response
        .body(Body::from_stream(answer.bytes_stream()))
        .unwrap()
}
