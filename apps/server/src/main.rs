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
    Inspect(cli::inspect::InspectArgs),
    /// Run a file of company names as one batch, with a progress bar, and write the export.
    Batch(cli::batch::BatchArgs),
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
    // `batch` draws a progress bar: only warnings may interrupt it.
    let default_filter = match cli.command {
        Some(Command::Batch(_)) => "warn",
        _ => "info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_filter.into()),
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
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, mut config: Config) -> anyhow::Result<ExitCode> {
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
    if let Some(Command::Batch(args)) = &cli.command {
        return Ok(batch(args, config).await);
    }
    let bind = config.server.bind;
    let app = App::build(config).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} (server.bind): {e}"))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    serve::run(app, listener, serve::shutdown_signal()).await;
    Ok(ExitCode::SUCCESS)
}

/// `batch FILE`: the service built in-process, without warming (a one-off
/// run spends no searches on other companies) and with the batch size
/// limit raised to the file's length (the user's own file on their machine).
async fn batch(args: &cli::batch::BatchArgs, mut config: Config) -> ExitCode {
    config.cache.warm_file = String::new();
    if let Ok(text) = std::fs::read_to_string(&args.file) {
        let lines = text.lines().count();
        config.batch.max_size = config.batch.max_size.max(lines);
    }
    let app = match App::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    match cli::batch::run(args, &app).await {
        Ok(report) => {
            let s = &report.status;
            eprintln!(
                "{}: {} lines, {} companies: {} succeeded, {} cached, {} failed, {} skipped in {:.1}s; wrote {}",
                s.state.as_str(),
                s.submitted,
                s.items,
                s.counts.succeeded,
                s.counts.cached,
                s.counts.failed,
                s.counts.skipped,
                s.elapsed_s,
                report.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
