//! Integration tests of the HTTP client against the sandbox, over real loopback HTTP.

mod fetch;
