//! `extract-server inspect FILE… [--url URL]`: the profile extracted from
//! saved pages — how a user debugs a surprising result. One file prints its
//! profile as pretty JSON; several files or a directory print one JSON line
//! per page (`{"file", "url", "profile"}`), all read in one process.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::Config;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Saved HTML pages, or directories of them (`*.html`, `*.htm`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The address the page was saved from (resolves its relative links).
    /// With several pages, each page's own canonical or `og:url` address is
    /// used, and this one where a page names none.
    #[arg(long)]
    pub url: Option<String>,
    /// Print every candidate value of the page with its provenance, not only the profile.
    #[arg(long)]
    pub candidates: bool,
    /// Print the page's structured data (JSON-LD, microdata, OpenGraph) as read.
    #[arg(long)]
    pub structured: bool,
}

/// Runs `inspect`; the exit code follows sysexits (66: cannot read a file, 64: bad URL).
pub fn run(args: &InspectArgs, config: &Config) -> ExitCode {
    if let Some(url) = &args.url {
        if url::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
            eprintln!("--url {url:?} is not an http or https URL");
            return ExitCode::from(64);
        }
    }
    let mut files = Vec::new();
    for f in &args.files {
        if f.is_dir() {
            match pages_in(f) {
                Ok(mut found) => files.append(&mut found),
                Err(e) => {
                    eprintln!("cannot read the directory {}: {e}", f.display());
                    return ExitCode::from(66);
                }
            }
        } else {
            files.push(f.clone());
        }
    }
    let one = files.len() == 1 && !args.files[0].is_dir();
    if one && args.url.is_none() {
        eprintln!("--url is needed for a single page: the address it was saved from");
        return ExitCode::from(64);
    }
    let mut code = ExitCode::SUCCESS;
    for file in &files {
        let body = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("cannot read {}: {e}", file.display());
                code = ExitCode::from(66);
                continue;
            }
        };
        let url = if one {
            args.url.clone().unwrap_or_default()
        } else {
            extract_core::extract::page_url(&body, None, &config.extract.limits)
                .or_else(|| args.url.clone())
                .unwrap_or_else(|| "https://unknown.invalid/".to_owned())
        };
        let value = output(args, config, &url, &body);
        let printed = if one {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&serde_json::json!({
                "file": file.display().to_string(),
                "url": url,
                "profile": value,
            }))
        };
        match printed {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("cannot print the result for {}: {e}", file.display());
                code = ExitCode::FAILURE;
            }
        }
    }
    code
}

fn output(args: &InspectArgs, config: &Config, url: &str, body: &[u8]) -> serde_json::Value {
    let limits = &config.extract.limits;
    let value = match (args.candidates, args.structured) {
        (true, _) => serde_json::to_value(extract_core::extract::page(url, body, None, limits)),
        (false, true) => {
            serde_json::to_value(extract_core::extract::structured(body, None, limits))
        }
        (false, false) => serde_json::to_value(extract_core::profile_from_page(
            url,
            body,
            None,
            &config.extract,
        )),
    };
    value.unwrap_or(serde_json::Value::Null)
}

/// The HTML pages of a directory, sorted by name.
fn pages_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")
                })
        })
        .collect();
    out.sort();
    Ok(out)
}
