//! Integration tests of the cache against a real Redis.

mod tiers;
