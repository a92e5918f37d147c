//! The command-line subcommands besides serving: `inspect` (one saved page)
//! and `batch` (a file of names run in-process, written as an export).

pub mod batch;
pub mod inspect;
