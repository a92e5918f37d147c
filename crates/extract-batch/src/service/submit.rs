//! Submitting: validation, deduplication into items, the first write.

use std::collections::HashMap;

use extract_core::CompanyQuery;

use super::BatchService;
use crate::model::{Batch, BatchRequest, BatchState, Counts, Item, ItemState};
use crate::{Error, Result};

/// The longest `webhook_url` taken: what servers and proxies commonly
/// accept in a request line, so that every delivery can be sent.
pub(crate) const MAX_WEBHOOK_URL: usize = 2_048;

impl BatchService {
    /// Validates, deduplicates and starts a batch.
    pub async fn submit(&self, request: BatchRequest) -> Result<Batch> {
        self.submit_linked(request, None).await
    }

    /// Runs the failed items of a finished batch again, as a new batch
    /// linked to it (its `retry_of`), with the same settings: the items
    /// that succeeded are not run again (they cost no upstream call), and
    /// the first batch's results stay as they were. A batch still running,
    /// or with no failed item, is refused.
    pub async fn retry(&self, id: &str) -> Result<Batch> {
        let batch = self.batch(id).await?;
        if !batch.state.is_final() {
            return Err(Error::NotFinished {
                id: id.to_owned(),
                state: format!("{:?}", batch.state).to_lowercase(),
                what: "its failed items can be retried once it has finished",
            });
        }
        // Read a page at a time: the names of the failed items alone are kept.
        let mut failed = Vec::new();
        let total = batch.counts.total();
        for start in (0..total).step_by(1_000) {
            let indexes: Vec<usize> = (start..(start + 1_000).min(total)).collect();
            for item in self
                .inner
                .store
                .items_at(id, &indexes)
                .await?
                .into_iter()
                .flatten()
            {
                if item.state == ItemState::Failed {
                    failed.push(item);
                }
            }
        }
        if failed.is_empty() {
            return Err(Error::Invalid {
                message: format!("batch {id:?} has no failed items to retry"),
                indexes: Vec::new(),
            });
        }
        // Each failed company again, with the inputs it was run with; a
        // batch of records runs each failed line again with its own
        // columns, so the retry's results carry them too.
        let with_inputs = failed
            .iter()
            .any(|i| i.domain.is_some() || !i.hints.is_empty());
        let (company_names, items, table) = if !batch.inputs.columns.is_empty() {
            let by_index: HashMap<usize, Item> = failed.into_iter().map(|i| (i.index, i)).collect();
            let mut records = Vec::new();
            let mut rows = Vec::new();
            for (line, index) in batch.line_items.iter().enumerate() {
                if let Some(item) = by_index.get(index) {
                    records.push(retry_record(item.clone()));
                    rows.push(batch.inputs.cells.get(line).cloned().unwrap_or_default());
                }
            }
            let table = crate::Table {
                columns: batch.inputs.columns.clone(),
                rows,
                id_column: batch.inputs.id_column,
            };
            (Vec::new(), records, Some(table))
        } else if with_inputs {
            let records = failed.into_iter().map(retry_record).collect();
            (Vec::new(), records, None)
        } else {
            (
                failed.into_iter().map(|i| i.name).collect(),
                Vec::new(),
                None,
            )
        };
        let request = BatchRequest {
            company_names,
            items,
            table,
            extraction_mode: batch.mode,
            priority: batch.priority,
            export_format: batch.export_format,
            webhook_url: batch.webhook_url,
            min_confidence: batch.min_confidence,
            min_field_confidence: batch.min_field_confidence,
        };
        self.submit_linked(request, Some(id.to_owned())).await
    }

    async fn submit_linked(
        &self,
        request: BatchRequest,
        retry_of: Option<String>,
    ) -> Result<Batch> {
        let inner = &self.inner;
        if !inner.config.enabled {
            return Err(Error::Disabled);
        }
        if !request.company_names.is_empty() && !request.items.is_empty() {
            return Err(Error::Invalid {
                message: "give company_names or items, not both".to_owned(),
                indexes: Vec::new(),
            });
        }
        let records = !request.items.is_empty();
        let n = request.company_names.len().max(request.items.len());
        if n == 0 {
            return Err(Error::Invalid {
                message: "company_names (or items) must list at least one company".to_owned(),
                indexes: Vec::new(),
            });
        }
        if n > inner.config.max_size {
            return Err(Error::Invalid {
                message: format!(
                    "{n} companies submitted; at most {} are allowed (batch.max_size)",
                    inner.config.max_size
                ),
                indexes: Vec::new(),
            });
        }
        if let Some(url) = &request.webhook_url {
            if url.len() > MAX_WEBHOOK_URL {
                return Err(Error::Invalid {
                    message: format!(
                        "webhook_url is {} characters long; at most {MAX_WEBHOOK_URL} are allowed",
                        url.len()
                    ),
                    indexes: Vec::new(),
                });
            }
            let ok = url_is_http(url);
            if !ok {
                return Err(Error::Invalid {
                    message: format!("webhook_url {url:?} is not an http or https URL"),
                    indexes: Vec::new(),
                });
            }
        }
        for (name, value) in [
            ("min_confidence", request.min_confidence),
            ("min_field_confidence", request.min_field_confidence),
        ] {
            if let Some(m) = value.filter(|m| !(0.0..=1.0).contains(m)) {
                return Err(Error::Invalid {
                    message: format!("{name} must be between 0 and 1, not {m}"),
                    indexes: Vec::new(),
                });
            }
        }
        let mut bad = Vec::new();
        let mut queries = Vec::with_capacity(n);
        let mut labels: Vec<String> = Vec::with_capacity(n);
        let mut first_error = None;
        if records {
            for (i, record) in request.items.iter().enumerate() {
                match record.query(request.extraction_mode, inner.max_name_chars) {
                    Ok(q) => {
                        // The name, else the domain as the query reads it
                        // (which is how an item tells one from the other).
                        labels.push(q.label().to_owned());
                        queries.push(q);
                    }
                    Err(e) => {
                        first_error.get_or_insert_with(|| format!("items[{i}]: {e}"));
                        bad.push(i);
                    }
                }
            }
        } else {
            for (i, name) in request.company_names.iter().enumerate() {
                match CompanyQuery::new(
                    Some(name),
                    None,
                    request.extraction_mode,
                    inner.max_name_chars,
                ) {
                    Ok(q) => {
                        labels.push(name.trim().to_owned());
                        queries.push(q);
                    }
                    Err(_) => bad.push(i),
                }
            }
        }
        if !bad.is_empty() {
            let message = match first_error {
                Some(first) => format!(
                    "{} items are not accepted (each needs a company_name or a domain, and valid hints); the first: {first}",
                    bad.len()
                ),
                None => format!(
                    "{} company names are empty, have no letters or digits, or are longer than {} characters",
                    bad.len(),
                    inner.max_name_chars
                ),
            };
            return Err(Error::Invalid {
                message,
                indexes: bad,
            });
        }
        let inputs = match request.table {
            Some(table) if table.rows.len() == request.items.len() => {
                crate::Inputs::of_table(table, &queries)
            }
            _ if records => crate::Inputs::of(&request.items, &queries),
            _ => crate::Inputs::default(),
        };
        // One item per distinct company; every line keeps its answer.
        let mut by_identity: HashMap<String, usize> = HashMap::new();
        let mut items: Vec<Item> = Vec::new();
        let mut line_items = Vec::with_capacity(n);
        for (q, name) in queries.iter().zip(&labels) {
            let next = items.len();
            let index = *by_identity.entry(q.identity()).or_insert(next);
            if index == next {
                items.push(Item {
                    index,
                    name: name.clone(),
                    domain: q.domain.clone(),
                    hints: q.hints.clone(),
                    state: ItemState::Pending,
                    error: None,
                    elapsed_ms: None,
                    profile: None,
                });
            }
            line_items.push(index);
        }
        let batch = Batch {
            id: format!("{:016x}{:08x}", fastrand::u64(..), fastrand::u32(..)),
            state: BatchState::Queued,
            mode: request.extraction_mode,
            min_confidence: request.min_confidence,
            min_field_confidence: request.min_field_confidence,
            priority: request.priority,
            export_format: request.export_format,
            webhook_url: request.webhook_url,
            lines: labels,
            line_items,
            inputs,
            counts: Counts {
                pending: items.len(),
                ..Counts::default()
            },
            created_at_ms: self.inner.clock.now_ms(),
            started_at_ms: None,
            finished_at_ms: None,
            summary: None,
            items_per_s: None,
            retry_of,
        };
        inner.store.create(&batch, &items).await?;
        if !inner
            .store
            .lease(&batch.id, &inner.owner, self.lease())
            .await?
        {
            return Err(Error::store("could not take the new batch's lease"));
        }
        self.start(batch.clone(), items);
        Ok(batch)
    }
}

fn url_is_http(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && lower.len() > "https://".len()
}

/// A failed item as the record it is run again from.
fn retry_record(item: Item) -> crate::BatchRecord {
    crate::BatchRecord {
        company_name: item.given_name().map(str::to_owned),
        domain: item.domain,
        country: item.hints.country,
        city: item.hints.city,
        linkedin_url: item
            .hints
            .linkedin
            .map(|slug| format!("https://www.linkedin.com/company/{slug}")),
        ..crate::BatchRecord::default()
    }
}
