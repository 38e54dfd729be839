//! `serve --metrics-listen`: `/metrics` on its own address without a token, and not on the main
//! one.

use super::*;

/// Reads the server's log until it names both addresses: (metrics, main).
fn wait_for_addresses(stderr: impl std::io::Read + Send + 'static) -> (String, String) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let value = |line: &str, key: &str| {
            line.find(key).map(|at| line[at + key.len()..].split_whitespace().next().unwrap().to_string())
        };
        let (mut metrics, mut main) = (None, None);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            metrics = metrics.or_else(|| value(&line, "metrics_on="));
            main = main.or_else(|| value(&line, " address="));
            // Reading goes on to the end: a closed pipe would fail the server's next log line.
            if metrics.is_some() && main.is_some() {
                let _ = tx.send((metrics.take().unwrap(), main.take().unwrap()));
            }
        }
    });
    rx.recv_timeout(std::time::Duration::from_secs(30)).expect("server printed both addresses")
}

pub async fn metrics_on_their_own_address(backend: Backend) {
    let cli = Cli::new(backend).await;
    let operator = "thn_op_cli-metrics-operator-token-0123456789";
    let mut server = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--operator-token", operator])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (metrics, main) = wait_for_addresses(server.stderr.take().unwrap());
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("http://{main}/readyz")).send().await.unwrap().status(), 200);

    let response = http.get(format!("http://{metrics}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"tahoon_http_request_duration_seconds_bucket{method="GET",route="/readyz",status="200",le="0.005"}"#
        ),
        "{text}"
    );
    assert!(text.contains("# TYPE tahoon_db_transaction_wait_seconds histogram"), "{text}");

    // Not on the main address, not even for the operator.
    let main_metrics = http.get(format!("http://{main}/metrics")).bearer_auth(operator).send().await.unwrap();
    assert_eq!(main_metrics.status(), 404);
    // The metrics address serves nothing else.
    assert_eq!(http.get(format!("http://{metrics}/readyz")).send().await.unwrap().status(), 404);
    let _ = server.kill();
    let _ = server.wait();
}
