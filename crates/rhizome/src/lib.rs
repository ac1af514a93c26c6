//! The `rhizome` binary's library half: configuration, wiring and the command-line tools.
//! Kept as a library so that tests and the benchmark can start a server in-process.

pub mod admin;
mod admin_data;
pub mod config;
pub mod import;
pub mod metrics;
pub mod ratelimit;
pub mod server;
