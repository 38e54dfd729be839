//! The server under test: `tahoon serve` as a child process, so its CPU time and peak memory are
//! its own (read from /proc), beside the client's.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    pub base: String,
}

/// The clock ticks `/proc/<pid>/stat` counts CPU time in (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

impl Server {
    /// Starts `tahoon serve` on a free loopback port against `database_url`.
    pub fn start(database_url: &str, secrets: &Path) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("finding the tahoon binary")?;
        // The clients are one address signing in far more often than any partner does; the
        // token routes' guessing limits would measure themselves, not the service.
        let config = secrets.with_extension("server.toml");
        std::fs::write(&config, "token_rate_limit_per_address = 1000000\ntoken_rate_limit_per_access_key = 1000000\n")
            .context("writing the bench server's configuration")?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("TAHOON_CONFIG", &config)
            .env("TAHOON_DATABASE_URL", database_url)
            .env("TAHOON_SECRETS_FILE", secrets)
            .env("RUST_LOG", "warn,tahoon=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting tahoon serve")?;
        let stderr = child.stderr.take().context("the server's output")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("address=") {
                    let address = line[at + 8..].split_whitespace().next().unwrap_or_default().to_string();
                    let _ = tx.send(address);
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(600)) {
            Ok(address) => Ok(Server { child, base: format!("http://{address}") }),
            Err(_) => {
                let _ = child.kill();
                bail!("the server did not start listening")
            }
        }
    }

    fn proc_file(&self, name: &str) -> String {
        std::fs::read_to_string(format!("/proc/{}/{name}", self.child.id())).unwrap_or_default()
    }

    /// CPU seconds (user and system) the server has used so far; 0 where /proc is not there.
    pub fn cpu_seconds(&self) -> f64 {
        let stat = self.proc_file("stat");
        // Fields after the command name (which may hold spaces) start at its closing parenthesis.
        let fields: Vec<&str> =
            stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        (ticks(11) + ticks(12)) / TICKS_PER_SECOND
    }

    /// The most resident memory the server has held, in MB (`VmHWM`).
    pub fn peak_rss_mb(&self) -> f64 {
        let status = self.proc_file("status");
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        kb / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
