//! `serve --tls-certificate --tls-private-key`: HTTPS with the given certificate, and SIGHUP
//! serves a renewed one to new connections without a restart (a broken one is not taken).
//! The certificates in `tests/data/tls` (for `localhost` and `127.0.0.1`) are signed by a test CA
//! whose key was thrown away; for these tests only.

use super::*;
use std::time::{Duration, Instant};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/tls").join(name)
}

fn der(pem_file: &str) -> Vec<u8> {
    let pem = std::fs::read_to_string(data(pem_file)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64_decode(&body)
}

/// Standard base64, enough for a PEM body.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| *b != b'=').map(value).collect();
    bytes
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk.iter().fold(0u32, |n, v| (n << 6) | u32::from(*v)) << (6 * (4 - chunk.len()));
            let all = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            all.into_iter().take(chunk.len() * 3 / 4)
        })
        .collect()
}

/// A fresh client (no pooled connection) trusting the test CA only; the certificate the server
/// presented.
async fn served_certificate(address: &str) -> Vec<u8> {
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&std::fs::read(data("ca.crt")).unwrap()).unwrap()])
        .tls_info(true)
        .build()
        .unwrap();
    let port = address.rsplit(':').next().unwrap();
    let response = client.get(format!("https://localhost:{port}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let info = response.extensions().get::<reqwest::tls::TlsInfo>().expect("TLS info");
    info.peer_certificate().unwrap().to_vec()
}

pub async fn https_with_a_certificate_reloaded_on_sighup(backend: Backend) {
    let cli = Cli::new(backend).await;
    let (certificate, key) = (cli.dir.join("server.crt"), cli.dir.join("server.key"));
    std::fs::copy(data("first.crt"), &certificate).unwrap();
    std::fs::copy(data("first.key"), &key).unwrap();
    let mut server = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--tls-certificate", certificate.to_str().unwrap(), "--tls-private-key", key.to_str().unwrap()])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let address = wait_for_address(server.stderr.take().unwrap());
    assert_eq!(served_certificate(&address).await, der("first.crt"));
    // Plain HTTP on the TLS port gets no answer.
    assert!(reqwest::get(format!("http://{address}/readyz")).await.map(|r| r.status() != 200).unwrap_or(true));

    #[cfg(unix)]
    {
        let hangup =
            || assert!(Command::new("kill").args(["-HUP", &server.id().to_string()]).status().unwrap().success());
        // A half-written renewal (a key that is not a key) is refused; the certificate in use stays.
        std::fs::write(&key, "not a key").unwrap();
        hangup();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(served_certificate(&address).await, der("first.crt"));
        // The renewed pair is served to new connections.
        std::fs::copy(data("second.crt"), &certificate).unwrap();
        std::fs::copy(data("second.key"), &key).unwrap();
        hangup();
        let deadline = Instant::now() + Duration::from_secs(10);
        while served_certificate(&address).await != der("second.crt") {
            assert!(Instant::now() < deadline, "the renewed certificate was not served");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let _ = server.kill();
    let _ = server.wait();
}

pub async fn tls_settings_go_together(backend: Backend) {
    let cli = Cli::new(backend).await;
    let output =
        cli.run(&["serve", "--listen", "127.0.0.1:0", "--tls-certificate", data("first.crt").to_str().unwrap()]);
    assert!(!output.status.success());
    // A certificate with another certificate's key does not start.
    let output = cli.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tls-certificate",
        data("first.crt").to_str().unwrap(),
        "--tls-private-key",
        data("second.key").to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot be used together"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
