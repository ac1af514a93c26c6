//! `rhizome`: the server and its command-line tools.

use rhizome::{admin, config, import, server};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rhizome",
    version,
    about = "A Fediverse server",
    propagate_version = true
)]
struct Cli {
    /// The configuration file (also RHIZOME_CONFIG). Without one, defaults and RHIZOME_* variables apply.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: HTTP and background workers.
    Serve,
    /// Administration of a running or stopped instance.
    Admin(admin::AdminArgs),
    /// The database: migrations and backups.
    Db {
        #[command(subcommand)]
        command: admin::DbCommand,
    },
    /// Move another server's database here.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// The configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the configuration and print it as it takes effect, secrets hidden.
    Check,
}

/// glibc gives threads that allocate at the same time heaps of their own, up to eight per
/// core, and each keeps what was freed in it: SQLite's connection threads and the runtime's
/// workers left up to 1 MiB more resident, and a varying amount, on an idle server (see
/// docs/performance.md, seventh round). Two arenas, the `MALLOC_ARENA_MAX=2` long advised for Ruby and JVM
/// servers, unless the operator set that variable. Runs before any other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: `mallopt` changes a tunable of the C allocator; nothing else is running.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    limit_malloc_arenas();
    let cli = Cli::parse();
    let loaded = match config::Loaded::load(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("rhizome: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    init_logging(&loaded.config, matches!(cli.command, Command::Serve));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("rhizome: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve => server::serve(loaded).await,
            Command::Admin(args) => admin::run(loaded, args).await,
            Command::Db { command } => admin::run_db(loaded, command).await,
            Command::Import { command } => import::run(loaded, command).await,
            Command::Config {
                command: ConfigCommand::Check,
            } => {
                print_config(&loaded);
                Ok(())
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rhizome: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_config(loaded: &config::Loaded) {
    match &loaded.file {
        Some(path) => eprintln!("configuration file: {}", path.display()),
        None => eprintln!("no configuration file: defaults and environment"),
    }
    if !loaded.from_env.is_empty() {
        eprintln!("set by the environment: {}", loaded.from_env.join(", "));
    }
    eprintln!("configuration is valid");
    print!("{}", loaded.config.redacted_toml());
}

/// Logs go to stderr; `RUST_LOG` wins over `log.level`. Commands other than `serve` log
/// warnings only, so that their own output stays readable.
fn init_logging(config: &config::Config, serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving {
        config.log.level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}
