//! Integration tests of the server: real HTTP over loopback, the sandbox as
//! the internet.

mod architecture;
mod auth;
mod bad_requests;
mod batch;
mod browser;
mod cache;

mod cli;
mod cluster;
mod connections;
mod deploy;
mod perf;

mod common;
mod end_to_end;
mod faults;
mod hostile;
mod resilience;
mod scale_out;
mod upstream_failures;
