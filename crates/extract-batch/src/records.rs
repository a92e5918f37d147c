//! Companies given as records: a name or a domain, the hints that tell two
//! companies of one name apart, and the caller's own columns, which every
//! result row and export carries back in the caller's order and under the
//! caller's names.

use extract_core::{CompanyQuery, ExtractionMode, Hints};
use serde::{Deserialize, Serialize};

/// One company of a batch as a record (`items` of a submit). It needs a
/// `company_name` or a `domain`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchRecord {
    /// The company's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Its website's domain: the site is read and checked against the name
    /// instead of searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Its country (ISO code or name): prefers candidates of that country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Its city: prefers candidates whose address or words name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Its LinkedIn company page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    /// The caller's id of the record, carried to every result row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The caller's other columns (strings, numbers, booleans), carried to
    /// every result row and export in the order given.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "extract_core::pairs"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extra: Vec<(String, String)>,
}

impl BatchRecord {
    /// The query the record asks for, validated.
    pub fn query(
        &self,
        mode: ExtractionMode,
        max_name_chars: usize,
    ) -> extract_core::Result<CompanyQuery> {
        let hints = Hints::new(
            self.country.as_deref(),
            self.city.as_deref(),
            self.linkedin_url.as_deref(),
        )?;
        Ok(CompanyQuery::new(
            self.company_name.as_deref(),
            self.domain.as_deref(),
            mode,
            max_name_chars,
        )?
        .with_hints(hints))
    }

    /// The record's columns, `(header, value)` in order: the id, the
    /// fields given, then the extra columns.
    pub fn columns(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (header, value) in [
            ("external_id", &self.external_id),
            ("company_name", &self.company_name),
            ("domain", &self.domain),
            ("country", &self.country),
            ("city", &self.city),
            ("linkedin_url", &self.linkedin_url),
        ] {
            if let Some(v) = value {
                out.push((header.to_owned(), v.clone()));
            }
        }
        out.extend(self.extra.iter().cloned());
        out
    }
}

/// An uploaded table's own columns, one row a record: what the results
/// carry back (every column, under the file's headers) instead of the
/// records' fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The header, in the file's order.
    pub columns: Vec<String>,
    /// Each record's cells.
    pub rows: Vec<Vec<String>>,
    /// The column of the caller's ids, if one was recognised.
    pub id_column: Option<usize>,
}

/// What a batch keeps of its records for the results: the columns' headers
/// in order, and for each submitted line its cells (aligned with the
/// headers) and its query's domain and hints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// The caller's column headers, in order.
    pub columns: Vec<String>,
    /// For each line, its cells (one a column, empty when the record had none).
    pub cells: Vec<Vec<String>>,
    /// For each line, the domain given, if any.
    pub domains: Vec<Option<String>>,
    /// For each line, the hints given.
    pub hints: Vec<Hints>,
    /// The column holding the caller's id of each record (`external_id`,
    /// or an upload's id column), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_column: Option<usize>,
}

impl Inputs {
    /// Collects the columns of `records`, in first-seen order, the id
    /// under `external_id`.
    pub fn of(records: &[BatchRecord], queries: &[CompanyQuery]) -> Inputs {
        let rows: Vec<Vec<(String, String)>> = records.iter().map(BatchRecord::columns).collect();
        let mut columns: Vec<String> = Vec::new();
        for (h, _) in rows.iter().flatten() {
            if !columns.contains(h) {
                columns.push(h.clone());
            }
        }
        let rows = rows
            .into_iter()
            .map(|row| {
                let mut cells = vec![String::new(); columns.len()];
                for (h, v) in row {
                    if let Some(i) = columns.iter().position(|c| *c == h) {
                        cells[i] = v;
                    }
                }
                cells
            })
            .collect();
        let id_column = columns.iter().position(|c| c == "external_id");
        let table = Table {
            columns,
            rows,
            id_column,
        };
        Inputs::of_table(table, queries)
    }

    /// From a `table` (an upload's, or the records' columns) whose rows are
    /// the records of `queries`.
    pub fn of_table(table: Table, queries: &[CompanyQuery]) -> Inputs {
        Inputs {
            columns: table.columns,
            cells: table.rows,
            domains: queries.iter().map(|q| q.domain.clone()).collect(),
            hints: queries.iter().map(|q| q.hints.clone()).collect(),
            id_column: table.id_column,
        }
    }

    /// Whether there is nothing to carry (a batch of plain names).
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
            && self.domains.iter().all(Option::is_none)
            && self.hints.iter().all(Hints::is_empty)
    }

    /// Line `line`'s id, if the records had one.
    pub fn id(&self, line: usize) -> Option<&str> {
        let cell = self.cells.get(line)?.get(self.id_column?)?;
        (!cell.is_empty()).then_some(cell.as_str())
    }

    /// Line `line`'s `(header, value)` cells.
    pub fn row(&self, line: usize) -> Vec<(String, String)> {
        match self.cells.get(line) {
            Some(cells) => self
                .columns
                .iter()
                .cloned()
                .zip(cells.iter().cloned())
                .collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_columns_keep_their_order_and_read_numbers_as_text() {
        let r: BatchRecord = serde_json::from_str(
            r#"{"company_name":"Acme","external_id":"c-7","extra":{"zeta":"z","alpha":3,"ok":true}}"#,
        )
        .unwrap();
        assert_eq!(
            r.columns(),
            [
                ("external_id", "c-7"),
                ("company_name", "Acme"),
                ("zeta", "z"),
                ("alpha", "3"),
                ("ok", "true")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        let back = serde_json::to_string(&r).unwrap();
        assert!(
            back.contains(r#""extra":{"zeta":"z","alpha":"3","ok":"true"}"#),
            "{back}"
        );
        assert!(serde_json::from_str::<BatchRecord>(r#"{"extra":{"a":[1]}}"#).is_err());
    }

    #[test]
    fn records_align_their_cells_under_every_header_seen() {
        let a = BatchRecord {
            company_name: Some("Acme".into()),
            external_id: Some("1".into()),
            ..BatchRecord::default()
        };
        let b = BatchRecord {
            domain: Some("globex.com".into()),
            country: Some("US".into()),
            ..BatchRecord::default()
        };
        let queries: Vec<CompanyQuery> = [&a, &b]
            .iter()
            .map(|r| r.query(ExtractionMode::Basic, 100).unwrap())
            .collect();
        let inputs = Inputs::of(&[a, b], &queries);
        assert_eq!(
            inputs.columns,
            ["external_id", "company_name", "domain", "country"]
        );
        assert_eq!(inputs.cells[1], ["", "", "globex.com", "US"]);
        assert_eq!(inputs.hints[1].country.as_deref(), Some("US"));
        assert_eq!(inputs.domains[1].as_deref(), Some("globex.com"));
    }
}
