//! The Lua scripts against the Rust names they share.

use super::*;

/// The scripts write state and flag names into Redis that Rust reads
/// back: every quoted lowercase word in them is an `ItemState` name, a
/// `Mark` field, or an answer `begin` matches.
#[test]
fn the_scripts_name_only_states_rust_knows() {
    let known: Vec<&str> = ItemState::ALL
        .iter()
        .map(|s| s.as_str())
        .chain([Mark::Cancelled.field(), Mark::Enqueued.field()])
        .chain(["missing", "done", "run"])
        .collect();
    for script in [BEGIN_SCRIPT, RECORD_SCRIPT, COUNT_SCRIPT, MARK_SCRIPT] {
        for word in script.split('\'').skip(1).step_by(2) {
            if word.chars().all(|c| c.is_ascii_lowercase()) {
                assert!(known.contains(&word), "{word:?} is not a state Rust knows");
            }
        }
    }
    assert!(BEGIN_SCRIPT.contains(&format!("'{}'", ItemState::Skipped.as_str())));
}
