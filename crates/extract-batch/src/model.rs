//! Batches and their items as stored, and the views built from them.

pub use extract_core::ItemState;
use extract_core::{CompanyProfile, ExtractionMode, Hints, Priority};
use serde::{Deserialize, Serialize};

/// The export format a batch asks for by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExportFormat {
    /// JSON (paged).
    #[default]
    Json,
    /// CSV download.
    Csv,
    /// Excel download.
    Xlsx,
    /// One JSON object a line, streamed.
    Ndjson,
}

impl ExportFormat {
    /// The name on the wire, which is also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Ndjson => "ndjson",
        }
    }
}

/// What a client submits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchRequest {
    /// The companies, one a line (or give `items`).
    #[serde(default)]
    pub company_names: Vec<String>,
    /// The companies as records, each with a name or a domain, hints and
    /// the caller's own columns (or give `company_names`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<crate::BatchRecord>,
    /// The uploaded table the `items` were read from (not part of the JSON
    /// API): its own columns are what the results carry back.
    #[serde(skip)]
    pub table: Option<crate::Table>,
    /// How deep to read each site.
    #[serde(default)]
    pub extraction_mode: ExtractionMode,
    /// Scheduling priority.
    #[serde(default)]
    pub priority: Priority,
    /// Default export format of the results.
    #[serde(default)]
    pub export_format: ExportFormat,
    /// POSTed (signed) when the batch ends; at most 2,048 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub webhook_url: Option<String>,
    /// The lowest website-match confidence (0–1) accepted: a company whose
    /// best candidate scores below it fails with `no_confident_match`
    /// instead of carrying a guessed profile.
    #[serde(default)]
    pub min_confidence: Option<f32>,
    /// Profile fields whose confidence (0–1) is below this are left out of
    /// the results and every export.
    #[serde(default)]
    pub min_field_confidence: Option<f32>,
}

/// Where a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BatchState {
    /// Accepted, nothing started.
    Queued,
    /// Items running.
    Running,
    /// Every item done, none failed.
    Completed,
    /// Every item done, some failed.
    CompletedWithErrors,
    /// Cancelled: finished items kept, the rest skipped.
    Cancelled,
    /// The batch itself could not run.
    Failed,
}

impl BatchState {
    /// Whether the batch is over.
    pub fn is_final(self) -> bool {
        !matches!(self, BatchState::Queued | BatchState::Running)
    }

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Queued => "queued",
            BatchState::Running => "running",
            BatchState::Completed => "completed",
            BatchState::CompletedWithErrors => "completed_with_errors",
            BatchState::Cancelled => "cancelled",
            BatchState::Failed => "failed",
        }
    }
}

/// Why an item failed or was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    /// A stable kind (`no_website`, `upstream_timeout`, `cancelled`, …).
    pub kind: extract_core::ErrorKind,
    /// A message.
    pub message: String,
}

/// One distinct company of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Position among the batch's distinct companies.
    pub index: usize,
    /// The name as first submitted (or the domain, for a record without one).
    pub name: String,
    /// The domain given for it, if any: read and checked, not searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The hints given for it.
    #[serde(default, skip_serializing_if = "Hints::is_empty")]
    pub hints: Hints,
    /// Where it is.
    pub state: ItemState,
    /// Why it failed or was skipped.
    pub error: Option<ItemError>,
    /// Time it took, ms.
    pub elapsed_ms: Option<u64>,
    /// The profile.
    pub profile: Option<CompanyProfile>,
}

impl Item {
    /// The company name it was given: its `name`, unless that is only its
    /// domain standing in for a record that gave none.
    pub fn given_name(&self) -> Option<&str> {
        (!self.name.is_empty() && self.domain.as_deref() != Some(self.name.as_str()))
            .then_some(self.name.as_str())
    }
}

/// Items per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Waiting.
    pub pending: usize,
    /// Running.
    pub running: usize,
    /// Extracted.
    pub succeeded: usize,
    /// From the cache.
    pub cached: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Counts {
    /// Items over.
    pub fn finished(&self) -> usize {
        self.succeeded + self.cached + self.failed + self.skipped
    }

    /// All items.
    pub fn total(&self) -> usize {
        self.finished() + self.pending + self.running
    }

    pub(crate) fn slot(&mut self, s: ItemState) -> &mut usize {
        match s {
            ItemState::Pending => &mut self.pending,
            ItemState::Running => &mut self.running,
            ItemState::Succeeded => &mut self.succeeded,
            ItemState::Cached => &mut self.cached,
            ItemState::Failed => &mut self.failed,
            ItemState::Skipped => &mut self.skipped,
        }
    }

    /// Moves one item from `from` to `to`.
    pub(crate) fn moved(&mut self, from: ItemState, to: ItemState) {
        let f = self.slot(from);
        *f = f.saturating_sub(1);
        *self.slot(to) += 1;
    }
}

/// A batch as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// The id.
    pub id: String,
    /// Where it is.
    pub state: BatchState,
    /// Read depth.
    pub mode: ExtractionMode,
    /// Priority.
    pub priority: Priority,
    /// Default export format.
    pub export_format: ExportFormat,
    /// Completion webhook.
    pub webhook_url: Option<String>,
    /// The lowest website-match confidence accepted (see [`BatchRequest`]).
    #[serde(default)]
    pub min_confidence: Option<f32>,
    /// Fields below this confidence are left out of results (see [`BatchRequest`]).
    #[serde(default)]
    pub min_field_confidence: Option<f32>,
    /// The submitted lines, in order.
    pub lines: Vec<String>,
    /// For each line, the item that answers it (duplicates share one).
    pub line_items: Vec<usize>,
    /// The records' columns and query inputs, when the batch was given
    /// records (`items`, or an upload with headers).
    #[serde(default, skip_serializing_if = "crate::Inputs::is_empty")]
    pub inputs: crate::Inputs,
    /// Items per state.
    pub counts: Counts,
    /// When accepted, Unix ms.
    pub created_at_ms: u64,
    /// When the first item started, Unix ms.
    pub started_at_ms: Option<u64>,
    /// When it ended, Unix ms.
    pub finished_at_ms: Option<u64>,
    /// The summary and industry analysis, once it ended.
    #[serde(default)]
    pub summary: Option<crate::Summary>,
    /// Items a second over the whole cluster, recently, as the instance
    /// running the batch last measured it (the ETA of every instance's
    /// status comes from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_per_s: Option<f64>,
    /// The batch whose failed items this one runs again, when it is a retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
}

/// What [`JobStore::begin`](crate::JobStore::begin) found of an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// The batch or the item is gone (expired, or the store lost it).
    Missing,
    /// Already over: nothing to do.
    Done,
    /// The batch is cancelled: the item is now skipped, and this is it.
    Skipped(Item),
    /// Run it (it is now running).
    Run(Item),
}

/// What [`JobStore::record`](crate::JobStore::record) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored: the item was not over before.
    Stored,
    /// Not stored: the item was already over (it ran twice).
    Already,
    /// Not stored: the batch or the item is gone.
    Missing,
}

/// A batch's progress as the store counts it, shared by every instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Items per state.
    pub counts: Counts,
    /// Cancel was asked (on any instance).
    pub cancelled: bool,
    /// Every item not answered at submission is in the work queue.
    pub enqueued: bool,
}

/// A flag set on a batch for every instance to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Cancel was asked.
    Cancelled,
    /// Its items are all in the work queue.
    Enqueued,
}

impl Mark {
    pub(crate) fn field(self) -> &'static str {
        match self {
            Mark::Cancelled => "cancelled",
            Mark::Enqueued => "enqueued",
        }
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
