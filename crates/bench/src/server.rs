//! The server under test: in-process (the real router and job workers, plus the benchmark's
//! own baseline route), or the real `rhizome serve` binary as a child process.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::Path as UrlPath;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use rhizome::config::Config;
use rhizome::metrics::Metrics;
use rhizome_core::Core;
use rhizome_core::jobs::{JobRegistry, Workers};
use tokio::sync::watch;
use tokio::task::JoinHandle;

type Bodies = Arc<RwLock<HashMap<String, Bytes>>>;

/// The real application served from this process, with its job workers running.
pub struct InProcess {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    bodies: Bodies,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    workers: JoinHandle<()>,
}

/// The baseline: a bare endpoint answering a body rendered beforehand.
fn baseline_response(bodies: &Bodies, name: &str) -> Response {
    let body = match bodies.read() {
        Ok(bodies) => bodies.get(name).cloned(),
        Err(_) => None,
    };
    match body {
        Some(body) => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such baseline body\n").into_response(),
    }
}

impl InProcess {
    /// Starts the server on a free loopback port. Call it on the runtime that should serve.
    pub async fn start(core: Core, config: &Config) -> anyhow::Result<InProcess> {
        let metrics = Metrics::new();
        let (stop, stop_rx) = watch::channel(false);
        let workers = Workers::new(
            core.clone(),
            JobRegistry::with_core_jobs(),
            metrics.job_stats.clone(),
        );
        let workers = tokio::spawn(workers.run(stop_rx.clone()));
        let bodies: Bodies = Arc::default();
        let served = bodies.clone();
        // The bench's own route, next to (not inside) the production middleware stack.
        let app = rhizome::server::router(core, metrics, config).route(
            "/bench/baseline/{name}",
            get(move |UrlPath(name): UrlPath<String>| {
                let bodies = served.clone();
                async move { baseline_response(&bodies, &name) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot listen on 127.0.0.1")?;
        let address = listener.local_addr()?;
        let mut stop_server = stop_rx;
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stop_server.wait_for(|stopped| *stopped).await;
            })
            .await
        });
        Ok(InProcess {
            base: format!("http://{address}"),
            bodies,
            stop,
            server,
            workers,
        })
    }

    /// Makes `/bench/baseline/NAME` answer `body`.
    pub fn set_baseline(&self, name: &str, body: Bytes) {
        if let Ok(mut bodies) = self.bodies.write() {
            bodies.insert(name.to_owned(), body);
        }
    }

    /// Stops serving and lets the workers finish what they run.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        let finished = tokio::time::timeout(Duration::from_secs(30), async {
            let served = self.server.await;
            let _ = self.workers.await;
            served
        })
        .await
        .context("the in-process server did not stop within 30 s")?;
        finished
            .context("the server task failed")?
            .context("the server failed")?;
        Ok(())
    }
}

/// Finds the `rhizome` binary: `explicit`, else the one next to this program. When run by
/// cargo, builds it first with the same profile, so that it is never older than the sources.
pub fn rhizome_binary(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(path.to_owned())
        } else {
            Err(format!("--rhizome-bin {} is not a file", path.display()))
        };
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let dir = exe.parent().ok_or("this program has no folder")?.to_owned();
    let candidate = dir.join(format!("rhizome{}", std::env::consts::EXE_SUFFIX));
    if let Ok(cargo) = std::env::var("CARGO") {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
        let mut command = std::process::Command::new(cargo);
        command
            .args(["build", "--quiet", "-p", "rhizome", "--manifest-path"])
            .arg(&manifest);
        if dir.file_name().is_some_and(|name| name == "release") {
            command.arg("--release");
        }
        println!("Building the rhizome binary for the start-up and memory scenarios: {command:?}");
        match command.status() {
            Ok(status) if status.success() => {}
            Ok(status) => return Err(format!("building rhizome failed ({status})")),
            Err(err) => return Err(format!("cannot run cargo: {err}")),
        }
    }
    if candidate.is_file() {
        Ok(candidate)
    } else {
        Err(format!(
            "{} not found: build it with `cargo build --release -p rhizome` or pass --rhizome-bin",
            candidate.display()
        ))
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Memory figures of a process, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// The peak resident set size (`VmHWM`).
    pub hwm_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` from the text of `/proc/PID/status`.
pub fn parse_proc_status(text: &str) -> Option<Memory> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|line| line.starts_with(name))?;
        let mut parts = line[name.len()..].split_whitespace();
        let value: u64 = parts.next()?.parse().ok()?;
        match parts.next() {
            Some("kB") | None => Some(value),
            Some(_) => None,
        }
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

pub fn process_memory(pid: u32) -> Result<Memory, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    parse_proc_status(&text).ok_or_else(|| format!("no VmRSS/VmHWM in {path}"))
}

/// A `rhizome serve` child process.
pub struct Child {
    child: tokio::process::Child,
    pub pid: u32,
    pub base: String,
    pub log: PathBuf,
}

impl Child {
    /// Starts `binary serve` on `port` with exactly the `RHIZOME_*` variables of `env`.
    pub fn spawn(
        binary: &Path,
        env: &[(String, String)],
        port: u16,
        log: PathBuf,
    ) -> anyhow::Result<Child> {
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let mut command = tokio::process::Command::new(binary);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("RHIZOME_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        command
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("RHIZOME_SERVER_LISTEN", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let pid = child.id().context("the child has no process id")?;
        Ok(Child {
            child,
            pid,
            base: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    /// Waits for the first `200` from `path`, polling every 2 ms until `limit` has passed
    /// since `started`. Returns the time from `started`.
    pub async fn first_ok(
        &mut self,
        client: &reqwest::Client,
        path: &str,
        started: Instant,
        limit: Duration,
    ) -> Result<Duration, String> {
        let url = format!("{}{path}", self.base);
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "rhizome serve exited ({status}) before answering:\n{}",
                    self.log_tail()
                ));
            }
            let answer = client
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(response) = answer
                && response.status() == reqwest::StatusCode::OK
            {
                let elapsed = started.elapsed();
                let _ = response.bytes().await;
                return Ok(elapsed);
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Err(format!(
            "no 200 from {url} within {limit:?}:\n{}",
            self.log_tail()
        ))
    }

    pub fn memory(&self) -> Result<Memory, String> {
        process_memory(self.pid)
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// SIGTERM, then SIGKILL if it has not exited within 30 s.
    pub async fn stop(mut self) {
        let _ = tokio::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_memory_from_proc_status() {
        let text =
            "Name:\trhizome\nVmPeak:\t  900000 kB\nVmHWM:\t   45678 kB\nVmRSS:\t   23456 kB\n";
        assert_eq!(
            parse_proc_status(text),
            Some(Memory {
                rss_kib: 23456,
                hwm_kib: 45678
            })
        );
        assert_eq!(parse_proc_status("Name:\tx\nVmRSS:\t1 kB\n"), None);
        assert_eq!(parse_proc_status("VmRSS:\tlots kB\nVmHWM:\t1 kB\n"), None);
    }

    #[test]
    fn reads_our_own_memory() {
        let memory = process_memory(std::process::id()).expect("own /proc status");
        assert!(memory.rss_kib > 0);
        assert!(memory.hwm_kib >= memory.rss_kib);
    }
}
