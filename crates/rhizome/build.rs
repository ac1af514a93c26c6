//! Sets `cfg(postgres_tests)` when `RHIZOME_TEST_POSTGRES` names a server for the PostgreSQL suite.
fn main() {
    println!("cargo::rerun-if-env-changed=RHIZOME_TEST_POSTGRES");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    if std::env::var("RHIZOME_TEST_POSTGRES").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
