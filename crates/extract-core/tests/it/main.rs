//! Integration tests of extract-core on the real material in `../shared/corpus`.

mod corpus;
mod pipeline;
mod robots;
mod robustness;
mod search_parsers;
