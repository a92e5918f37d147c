//! Integration tests of the server: real HTTP over loopback, the sandbox as
//! the internet.

mod architecture;
mod auth;
mod bad_requests;
mod batch;
mod batch_inputs;
mod browser;
mod cache;

mod cli;
mod cluster;
mod connections;
mod deploy;
mod perf;
mod perf_bounds;
mod records;

mod common;
mod end_to_end;
mod faults;
mod faults_process;
mod hints;
mod hostile;
mod hostile_clients;
mod resilience;
mod scale_out;
mod upstream_failures;
