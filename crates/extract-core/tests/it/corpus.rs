//! Where the shared corpus lies.

use std::path::PathBuf;

pub(crate) fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel)
}

pub(crate) fn read(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (the corpus lies beside the checkout)", p.display()))
}
