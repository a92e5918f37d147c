//! What the workspace's tests share and the product never ships: a real
//! Redis over a real connection ([`redis`]), the shared one named by
//! `REDIS_URL` or a private `redis-server` a test may stop and restart,
//! how many events a rate limit let into any one window ([`timing`]), and
//! hostile spreadsheets ([`hostile`]).
//!
//! Architecture invariant: only ever a dev-dependency, and it depends on no
//! project crate.
//!
//! ```no_run
//! use extract_test_support::redis::TestRedis;
//! // A private server on a free port, stopped when dropped; None (and a loud
//! // skip, a failure under CI=true) when redis-server is not installed.
//! if let Some(redis) = TestRedis::start_or_skip("my_test") {
//!     println!("{}", redis.url());
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod hostile;
pub mod redis;
pub mod timing;
