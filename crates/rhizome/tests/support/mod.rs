//! Running the real `rhizome` binary in tests: CLI commands and `serve` processes.
#![allow(dead_code)]

pub mod api;
pub mod jobs;
pub mod media;
pub mod pages;
pub mod s3;
pub mod smtp;
pub mod two_factor;
pub mod web;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_rhizome");

/// One instance's configuration: a database and a data folder, as environment variables.
#[derive(Clone)]
pub struct Setup {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Setup {
    pub fn new(database_url: &str, data_dir: &Path) -> Setup {
        Setup {
            database_url: database_url.to_owned(),
            data_dir: data_dir.to_owned(),
            env: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Setup {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(BINARY);
        for (key, _) in std::env::vars() {
            if key.starts_with("RHIZOME_") {
                command.env_remove(key);
            }
        }
        command
            .env("RHIZOME_DATABASE_URL", &self.database_url)
            .env("RHIZOME_STORAGE_DATA_DIR", &self.data_dir)
            .env("RUST_LOG", "info")
            // Tests sign many users up from one address; the rate-limit tests turn it on.
            .env("RHIZOME_RATELIMIT_ENABLED", "false")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }

    /// Runs a CLI command to completion, with `stdin` as its input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn rhizome");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("wait for rhizome")
    }

    /// Runs a CLI command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str], stdin: &str) -> String {
        let output = self.run(args, stdin);
        assert!(
            output.status.success(),
            "rhizome {args:?} failed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a CLI command that must fail; returns its stderr.
    pub fn fails(&self, args: &[&str], stdin: &str) -> String {
        let output = self.run(args, stdin);
        assert!(
            !output.status.success(),
            "rhizome {args:?} should have failed"
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// Starts `rhizome serve` on a free loopback port and waits until it answers.
    pub fn serve(&self) -> Server {
        self.serve_at(free_port())
    }

    /// Starts `rhizome serve` on `port` (its domain is `127.0.0.1:port`).
    pub fn serve_at(&self, port: u16) -> Server {
        let log = self.data_dir.join(format!("serve-{port}.log"));
        std::fs::create_dir_all(&self.data_dir).expect("data dir");
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut command = self.command();
        // Several processes of one instance share the domain their setup names.
        if !self
            .env
            .iter()
            .any(|(key, _)| key == "RHIZOME_INSTANCE_DOMAIN")
        {
            command.env("RHIZOME_INSTANCE_DOMAIN", format!("127.0.0.1:{port}"));
        }
        let child = command
            .arg("serve")
            .env("RHIZOME_SERVER_LISTEN", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("spawn rhizome serve");
        let server = Server { child, port, log };
        server.wait_until_up();
        server
    }
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

pub struct Server {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_until_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let address = format!("127.0.0.1:{}", self.port);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&address).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("rhizome serve did not come up:\n{}", self.log_text());
    }

    /// SIGKILL: no chance to clean up, as in a crash.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the process to exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill_hard();
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill_hard();
        }
    }
}
