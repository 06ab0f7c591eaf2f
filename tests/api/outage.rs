//! The database going away: requests get fast 503s with Retry-After, and service resumes by itself.

use crate::helpers::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A TCP relay between the app and Postgres that the test can cut and restore.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    relays: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let relays = Arc::new(Mutex::new(Vec::new()));
        let (accept_cut, accept_relays) = (cut.clone(), relays.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if accept_cut.load(Ordering::SeqCst) {
                    drop(client); // refuse: the connection closes before the Postgres handshake
                    continue;
                }
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(("127.0.0.1", target_port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                accept_relays.lock().await.push(relay);
            }
        });
        Proxy { port, cut, relays }
    }

    /// Drops every open connection and refuses new ones.
    async fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for relay in self.relays.lock().await.drain(..) {
            relay.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn an_unreachable_database_gives_fast_503s_then_recovers_without_a_restart() {
    let (database, url) = new_test_database().await;
    let proxy = Proxy::start(port_of(&url)).await;
    let app_url = with_host_port(&url, "127.0.0.1", proxy.port);
    let app = TestApp::spawn_on(database, url, app_url, Overrides::new()).await;
    assert_eq!(app.post_callback(&callback_body()).await.status(), 201);

    proxy.cut().await;
    for path in ["/v1/callback-requests", "/readyz"] {
        let started = Instant::now();
        let response = if path == "/readyz" {
            app.get(path).await
        } else {
            app.post_callback(&callback_body()).await
        };
        let waited = started.elapsed();
        assert_eq!(response.headers()["retry-after"], "2", "{path}");
        assert_problem(response, 503).await;
        // The app waits at most its 1 s acquire timeout (tests) before giving up: no hanging clients.
        assert!(waited < Duration::from_secs(5), "{path} took {waited:?}");
    }
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "the process lives on"
    );

    proxy.restore();
    let response = app.post_callback(&callback_body()).await;
    assert_eq!(
        response.status(),
        201,
        "the first request after the database returns succeeds"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert_eq!(
        app.count("callback_requests").await,
        2,
        "the refused request stored nothing"
    );
}
