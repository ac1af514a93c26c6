//! Sets `cfg(postgres_tests)` when `RHIZOME_TEST_POSTGRES` names a server for the PostgreSQL
//! suite, and `cfg(s3_tests)` when `RHIZOME_TEST_S3_SERVER` names the command of an
//! S3-compatible server the media tests may start on loopback (e.g. moto's `moto_server`),
//! `cfg(ffmpeg_tests)` when `RHIZOME_TEST_FFMPEG` says ffmpeg and ffprobe are installed, and
//! `cfg(browser_tests)` when `RHIZOME_TEST_BROWSER` says Chromium and e2e/'s npm packages are.
//!
//! On Linux with glibc it also links the binaries with packed relative relocations (RELR):
//! the dynamic loader otherwise reads a 2 MB table of relocations at every start, and those
//! pages stay in the process's resident memory (see docs/performance.md, `memory_idle`).
//! GNU ld 2.38+ and glibc 2.36+ (Debian 12) support it.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo::rerun-if-env-changed=RHIZOME_TEST_POSTGRES");
    println!("cargo::rerun-if-env-changed=RHIZOME_TEST_S3_SERVER");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=RHIZOME_TEST_FFMPEG");
    println!("cargo::rustc-check-cfg=cfg(s3_tests)");
    println!("cargo::rustc-check-cfg=cfg(ffmpeg_tests)");
    println!("cargo::rerun-if-env-changed=RHIZOME_TEST_BROWSER");
    println!("cargo::rustc-check-cfg=cfg(browser_tests)");
    if std::env::var("RHIZOME_TEST_BROWSER").is_ok_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=browser_tests");
    }
    if std::env::var("RHIZOME_TEST_FFMPEG").is_ok_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=ffmpeg_tests");
    }
    if std::env::var("RHIZOME_TEST_POSTGRES").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
    if std::env::var("RHIZOME_TEST_S3_SERVER").is_ok_and(|command| !command.is_empty()) {
        println!("cargo::rustc-cfg=s3_tests");
    }
}
