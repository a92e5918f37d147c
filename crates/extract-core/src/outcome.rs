//! Where one company of a batch is, and how it ended: the one list of
//! state names, serialised here, shared by the batch engine (its records
//! and Lua scripts), the exports' `outcome` column and the wire.

use serde::{Deserialize, Serialize};

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemState {
    /// Waiting.
    Pending,
    /// Being extracted.
    Running,
    /// Extracted now.
    Succeeded,
    /// Answered from the cache.
    Cached,
    /// Failed; see its error.
    Failed,
    /// Not extracted (cancelled, or refused by robots.txt).
    Skipped,
}

impl ItemState {
    /// Every state, in order.
    pub const ALL: [ItemState; 6] = [
        ItemState::Pending,
        ItemState::Running,
        ItemState::Succeeded,
        ItemState::Cached,
        ItemState::Failed,
        ItemState::Skipped,
    ];

    /// The state named `s` on the wire, if any.
    pub fn parse(s: &str) -> Option<ItemState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the item is over.
    pub fn is_final(self) -> bool {
        !matches!(self, ItemState::Pending | ItemState::Running)
    }

    /// Whether it ended without a profile: failed or skipped (the XLSX
    /// Errors sheet).
    pub fn is_error(self) -> bool {
        matches!(self, ItemState::Failed | ItemState::Skipped)
    }

    /// The name on the wire and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Running => "running",
            ItemState::Succeeded => "succeeded",
            ItemState::Cached => "cached",
            ItemState::Failed => "failed",
            ItemState::Skipped => "skipped",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ItemState;

    #[test]
    fn the_wire_name_is_the_serialised_one() {
        for s in ItemState::ALL {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::from(s.as_str())
            );
        }
    }
}
