//! Criterion benches of the extraction service and its performance suite.
//! The benches live in `benches/`; this library is empty on purpose.
