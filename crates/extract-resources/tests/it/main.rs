//! Integration tests of the HTTP client against the sandbox, over real loopback HTTP.

mod fetch;
mod proxy;
mod proxy_server;
