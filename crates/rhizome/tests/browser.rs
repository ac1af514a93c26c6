//! The web interface in a real browser: Debian's Chromium, driven by Playwright
//! (`playwright-core` from npm, which downloads no browser) through `e2e/browser.test.mjs`,
//! against two real instances on loopback. Screenshots of the main pages go to
//! `target/screenshots/`.
//!
//! Runs when `RHIZOME_TEST_BROWSER=1` (`bash .ci/run` installs Chromium and the npm packages
//! and sets it); otherwise it is listed as ignored, with the reason.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rhizome_testkit::TestDatabase;
use support::{Server, Setup};

/// The browser suite's own bound: a stuck browser fails the test instead of hanging CI.
const SUITE_LIMIT: Duration = Duration::from_secs(600);

struct Instance {
    _db: TestDatabase,
    setup: Setup,
    server: Server,
    _dir: tempfile::TempDir,
}

impl Instance {
    fn start() -> Instance {
        let db = TestDatabase::sqlite();
        let dir = tempfile::tempdir().expect("a scratch folder");
        let setup = Setup::new(db.url(), dir.path())
            .with("RHIZOME_FEDERATION_ALLOW_HTTP", "true")
            .with("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true")
            .with("RHIZOME_JOBS_POLL_MILLIS", "50");
        let server = setup.serve();
        Instance {
            _db: db,
            setup,
            server,
            _dir: dir,
        }
    }

    fn domain(&self) -> String {
        format!("127.0.0.1:{}", self.server.port)
    }

    fn cli(&self) -> Setup {
        self.setup
            .clone()
            .with("RHIZOME_INSTANCE_DOMAIN", &self.domain())
    }

    /// A user with `role` and `password`.
    fn user(&self, name: &str, role: &str, password: &str) {
        self.cli().ok(
            &[
                "admin",
                "user",
                "create",
                name,
                "--email",
                &format!("{name}@example.org"),
                "--role",
                role,
                "--password-stdin",
            ],
            &format!("{password}\n"),
        );
    }

    fn token(&self, name: &str) -> String {
        self.cli()
            .ok(
                &[
                    "admin",
                    "token",
                    "create",
                    name,
                    "--scopes",
                    "read write follow",
                ],
                "",
            )
            .trim()
            .to_owned()
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace folder")
        .to_owned()
}

#[test]
#[cfg_attr(
    not(browser_tests),
    ignore = "set RHIZOME_TEST_BROWSER=1 with Chromium at /usr/bin/chromium and `npm ci` run in e2e/"
)]
fn the_web_interface_works_in_a_real_browser() {
    let root = workspace_root();
    let e2e = root.join("e2e");
    assert!(
        e2e.join("node_modules/playwright-core").exists(),
        "run `npm ci` in {}",
        e2e.display()
    );
    let (a, b) = (Instance::start(), Instance::start());
    let password = "correct horse battery staple";
    a.user("ada", "admin", password);
    b.user("bob", "user", password);
    let bob_token = b.token("bob");
    let screenshots = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("screenshots");
    std::fs::create_dir_all(&screenshots).expect("the screenshots folder");

    let mut child = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg("browser.test.mjs")
        .current_dir(&e2e)
        .env("RHIZOME_A", a.server.base())
        .env("RHIZOME_B", b.server.base())
        .env("RHIZOME_B_DOMAIN", b.domain())
        .env("RHIZOME_ADMIN", "ada")
        .env("RHIZOME_PASSWORD", password)
        .env("RHIZOME_BOB_TOKEN", &bob_token)
        .env("RHIZOME_SCREENSHOTS", &screenshots)
        .env(
            "RHIZOME_IMAGE",
            root.join("e2e/fixtures/meadow.png").as_os_str(),
        )
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node (Node.js 20 or newer) on PATH");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break status;
        }
        if started.elapsed() > SUITE_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser suite ran longer than {SUITE_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if !status.success() {
        eprintln!("--- instance A log ---\n{}", a.server.log_text());
        eprintln!("--- instance B log ---\n{}", b.server.log_text());
    }
    assert!(status.success(), "the browser suite failed: {status}");
    eprintln!("screenshots: {}", screenshots.display());
}
