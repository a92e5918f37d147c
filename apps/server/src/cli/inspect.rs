//! `extract-server inspect FILE.html --url URL`: the profile extracted from one
//! saved page, as JSON on stdout — how a user debugs a surprising result.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::Config;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The saved HTML page.
    pub file: PathBuf,
    /// The address the page was saved from (resolves its relative links).
    #[arg(long)]
    pub url: String,
    /// Print every candidate value of the page with its provenance, not only the profile.
    #[arg(long)]
    pub candidates: bool,
    /// Print the page's structured data (JSON-LD, microdata, OpenGraph) as read.
    #[arg(long)]
    pub structured: bool,
}

/// Runs `inspect`; the exit code follows sysexits (66: cannot read the file, 64: bad URL).
pub fn run(args: &Args, config: &Config) -> ExitCode {
    let body = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.file.display());
            return ExitCode::from(66);
        }
    };
    if url::Url::parse(&args.url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
        eprintln!("--url {:?} is not an http or https URL", args.url);
        return ExitCode::from(64);
    }
    let output = match (args.candidates, args.structured) {
        (true, _) => serde_json::to_string_pretty(&extract_core::extract::page(
            &args.url,
            &body,
            None,
            &config.extract.limits,
        )),
        (false, true) => serde_json::to_string_pretty(&extract_core::extract::structured(
            &body,
            None,
            &config.extract.limits,
        )),
        (false, false) => serde_json::to_string_pretty(&extract_core::profile_from_page(
            &args.url,
            &body,
            None,
            &config.extract,
        )),
    };
    match output {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot print the result: {e}");
            ExitCode::FAILURE
        }
    }
}
