//! An S3-compatible server for the media suites: the command in `RHIZOME_TEST_S3_SERVER`
//! (moto's `moto_server` in CI), started on a free loopback port with the `rhizome-media`
//! bucket, and stopped by its PID when the test ends.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_s3() -> S3Server {
    let command = std::env::var("RHIZOME_TEST_S3_SERVER").unwrap_or_else(|_| "moto_server".into());
    let port = super::free_port();
    let child = Command::new(&command)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command} (pip install 'moto[server]'): {e}"));
    let server = S3Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Creating the bucket is also the readiness probe.
        match client
            .put(format!("{}/rhizome-media", server.endpoint))
            .send()
            .await
        {
            Ok(reply) if reply.status().is_success() => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("the S3 server did not come up: {other:?}"),
        }
    }
    server
}
