//! `extract-server`: configuration → tracing → runtime → app → serve → drain.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use extract_server::{cli, sandbox, serve, App, Config};

/// The company extraction service.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A TOML file overriding config/default.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Listen address (overrides server.bind).
    #[arg(long)]
    bind: Option<std::net::SocketAddr>,
    /// Start the simulated web in-process and use it for search and sites (offline demo).
    #[arg(long, conflicts_with = "sandbox_url", global = true)]
    sandbox: bool,
    /// Use a sandbox already running at this URL (e.g. http://127.0.0.1:9090).
    #[arg(long, global = true)]
    sandbox_url: Option<String>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Print as JSON the profile extracted from one saved HTML page.
    Inspect(cli::inspect::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(64);
        }
    };
    if let Some(bind) = cli.bind {
        config.server.bind = bind;
    }
    if let Some(Command::Inspect(args)) = &cli.command {
        return cli::inspect::run(args, &config);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, mut config: Config) -> anyhow::Result<()> {
    let _sandbox = if cli.sandbox {
        let s = sandbox::start_in_process(&mut config).await?;
        tracing::info!(addr = %s.addr(), companies = s.world().companies().len(), "sandbox web running in-process");
        Some(s)
    } else {
        if let Some(url) = &cli.sandbox_url {
            sandbox::use_running(&mut config, url)?;
        }
        None
    };
    let bind = config.server.bind;
    let app = App::build(config).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} (server.bind): {e}"))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    serve::run(app, listener, serve::shutdown_signal()).await;
    Ok(())
}
