//! Integration tests of extract-core on the real material in `../shared/corpus`.

mod corpus;
mod robots;
mod robustness;
mod search_parsers;
