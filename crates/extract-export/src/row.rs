//! What an export row is: one submitted company, its outcome, its profile.

use extract_core::{CompanyProfile, Field, ItemState, SocialNetwork};
use serde::{Deserialize, Serialize};

/// One company of a batch (or a single extraction) as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Position in the submitted list, from 0.
    pub index: usize,
    /// The name as submitted.
    pub query: String,
    /// How the company ended (or where it is, in a running batch's export).
    pub outcome: ItemState,
    /// Why it failed or was skipped: a stable kind.
    pub error_kind: Option<extract_core::ErrorKind>,
    /// Why it failed or was skipped: a message.
    pub error_message: Option<String>,
    /// The profile, when there is one.
    pub profile: Option<CompanyProfile>,
    /// The caller's id of the record (`external_id`, or an upload's id column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The caller's own columns of the record, `(header, value)` in the
    /// caller's order: before the extracted columns in CSV and XLSX, an
    /// `input` object in JSON and NDJSON.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "extract_core::pairs"
    )]
    pub input: Vec<(String, String)>,
}

/// The flat columns of a row (CSV and the XLSX Companies sheet), in order.
pub const COLUMNS: &[&str] = &[
    "index",
    "query",
    "outcome",
    "error_kind",
    "error_message",
    "name",
    "legal_name",
    "domain",
    "website",
    "match_confidence",
    "match_status",
    "description",
    "industry_sector",
    "industry_label",
    "linkedin_industry",
    "naics_code",
    "naics_title",
    "founded_year",
    "employees_min",
    "employees_max",
    "hq_street",
    "hq_city",
    "hq_region",
    "hq_postal_code",
    "hq_country",
    "phones",
    "emails",
    "linkedin",
    "twitter",
    "facebook",
    "github",
    "youtube",
    "instagram",
    "crunchbase",
    "wikipedia",
    "xing",
    "logo",
    "keywords",
    "vat_id",
    "register_authority",
    "register_number",
    "company_number",
    "lei",
];

/// The fields whose provenance can be exported as `<field>_source` and `<field>_method`.
pub const SOURCED: &[&str] = &[
    "name",
    "legal_name",
    "website",
    "description",
    "industry",
    "founded_year",
    "employees",
    "headquarters",
    "logo",
];

fn v<T>(f: &Option<Field<T>>, show: impl Fn(&T) -> String) -> String {
    f.as_ref().map(|f| show(&f.value)).unwrap_or_default()
}

impl Row {
    /// The row's values for [`COLUMNS`]; multi-values joined with `"; "`.
    pub fn values(&self) -> Vec<String> {
        let p = self.profile.as_ref();
        let empty = CompanyProfile::default();
        let p = p.unwrap_or(&empty);
        let hq = p.headquarters.as_ref().map(|h| &h.value);
        let social = |n: SocialNetwork| p.social_url(n).unwrap_or_default().to_owned();
        vec![
            self.index.to_string(),
            self.query.clone(),
            self.outcome.as_str().to_owned(),
            self.error_kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
            self.error_message.clone().unwrap_or_default(),
            v(&p.name, String::clone),
            v(&p.legal_name, String::clone),
            p.domain.clone().unwrap_or_default(),
            v(&p.website, String::clone),
            p.website_choice
                .as_ref()
                .map(|c| format!("{:.2}", c.confidence))
                .unwrap_or_default(),
            p.website_choice
                .as_ref()
                .map(|c| c.status.as_str().to_owned())
                .unwrap_or_default(),
            v(&p.description, String::clone),
            v(&p.industry, |i| i.sector.clone().unwrap_or_default()),
            v(&p.industry, |i| i.label.clone().unwrap_or_default()),
            v(&p.industry, |i| {
                i.linkedin
                    .as_ref()
                    .map(|l| l.name.clone())
                    .unwrap_or_default()
            }),
            v(&p.industry, |i| {
                i.naics.as_ref().map(|n| n.code.clone()).unwrap_or_default()
            }),
            v(&p.industry, |i| {
                i.naics
                    .as_ref()
                    .map(|n| n.title.clone())
                    .unwrap_or_default()
            }),
            v(&p.founded_year, u16::to_string),
            v(&p.employees, |e| e.min.to_string()),
            v(&p.employees, |e| {
                e.max.map(|m| m.to_string()).unwrap_or_default()
            }),
            hq.and_then(|h| h.street.clone()).unwrap_or_default(),
            hq.and_then(|h| h.locality.clone()).unwrap_or_default(),
            hq.and_then(|h| h.region.clone()).unwrap_or_default(),
            hq.and_then(|h| h.postal_code.clone()).unwrap_or_default(),
            hq.and_then(|h| h.country.clone()).unwrap_or_default(),
            p.phones
                .iter()
                .map(|f| f.value.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            p.emails
                .iter()
                .map(|f| f.value.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            social(SocialNetwork::Linkedin),
            social(SocialNetwork::Twitter),
            social(SocialNetwork::Facebook),
            social(SocialNetwork::Github),
            social(SocialNetwork::Youtube),
            social(SocialNetwork::Instagram),
            social(SocialNetwork::Crunchbase),
            social(SocialNetwork::Wikipedia),
            social(SocialNetwork::Xing),
            v(&p.logo, String::clone),
            p.keywords.join("; "),
            v(&p.identifiers.vat_id, String::clone),
            v(&p.identifiers.register, |r| {
                r.authority.clone().unwrap_or_default()
            }),
            v(&p.identifiers.register, |r| r.number.clone()),
            v(&p.identifiers.company_number, String::clone),
            v(&p.identifiers.lei, String::clone),
        ]
    }

    /// `(source url, method)` of each [`SOURCED`] field, empty when absent.
    pub fn provenance(&self) -> Vec<(String, String)> {
        let empty = CompanyProfile::default();
        let p = self.profile.as_ref().unwrap_or(&empty);
        fn s<T>(f: &Option<Field<T>>) -> (String, String) {
            f.as_ref()
                .map(|f| {
                    let method = serde_json::to_value(f.source.method)
                        .ok()
                        .and_then(|m| m.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    (f.source.url.clone(), method)
                })
                .unwrap_or_default()
        }
        vec![
            s(&p.name),
            s(&p.legal_name),
            s(&p.website),
            s(&p.description),
            s(&p.industry),
            s(&p.founded_year),
            s(&p.employees),
            s(&p.headquarters),
            s(&p.logo),
        ]
    }
}

/// Makes a cell value safe from spreadsheet formula injection: a value that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
/// apostrophe, so that it is shown as text and never evaluated.
///
/// ```
/// use extract_export::neutralise;
/// assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(neutralise("Acme"), "Acme");
/// ```
pub fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

#[cfg(test)]
mod outcome_tests {
    use super::ItemState;

    #[test]
    fn an_outcome_serialises_as_its_name() {
        for o in ItemState::ALL {
            let wire = serde_json::to_string(&o).unwrap();
            assert_eq!(wire, format!("\"{}\"", o.as_str()));
            assert_eq!(serde_json::from_str::<ItemState>(&wire).unwrap(), o);
        }
    }
}
