//! The command-line subcommands besides serving: `inspect` (one saved page).

pub mod inspect;
