//! The command-line subcommands besides serving: `inspect` (one saved page)
//! and `batch` (a file of names run in-process, written as an export; with
//! `--retry-failed`, an earlier export's failed rows run again, `retry`).

pub mod batch;
pub mod inspect;
pub mod retry;
