//! The development gold set: real company pages with hand-verified labels
//! (`../shared/corpus/gold/`), scored per field kind by recall (labelled
//! values found) and by the share of emitted values that are wrong, with
//! every miss and every wrong value printed. The comparison follows the set's
//! README: domains, e-mails and names case-insensitively, URLs without scheme,
//! `www.`, trailing slash and query, phones by digits, lists as sets, and a
//! value matching the label or any acceptable alternate counts as right.

use std::collections::BTreeMap;
use std::path::Path;

use extract_core::{profile_from_page, CompanyProfile, Config, SocialNetwork};
use serde_json::Value;

/// Counts for one field kind.
#[derive(Debug, Clone, Default)]
pub struct FieldScore {
    /// Labelled values.
    pub labelled: usize,
    /// Labelled values found.
    pub found: usize,
    /// Values the extraction emitted for this kind.
    pub emitted: usize,
    /// Emitted values that are wrong (neither the label nor an alternate).
    pub wrong: usize,
}

/// The gold report: counts per field kind and one line per miss or wrong value.
#[derive(Debug, Clone, Default)]
pub struct GoldReport {
    /// Per field kind, in a stable order.
    pub kinds: BTreeMap<&'static str, FieldScore>,
    /// `file: kind: …` lines.
    pub notes: Vec<String>,
    /// Every judged value that carries a confidence: its kind, its
    /// confidence, and whether it was right (for the reliability table).
    pub values: Vec<(&'static str, f32, bool)>,
}

impl GoldReport {
    /// All kinds added up.
    pub fn total(&self) -> FieldScore {
        self.kinds
            .values()
            .fold(FieldScore::default(), |a, k| FieldScore {
                labelled: a.labelled + k.labelled,
                found: a.found + k.found,
                emitted: a.emitted + k.emitted,
                wrong: a.wrong + k.wrong,
            })
    }

    /// Recall over every labelled value, in `0.0..=1.0`.
    pub fn recall(&self) -> f64 {
        let t = self.total();
        t.found as f64 / t.labelled.max(1) as f64
    }

    /// Share of emitted values that are wrong, in `0.0..=1.0`.
    pub fn wrong_share(&self) -> f64 {
        let t = self.total();
        t.wrong as f64 / t.emitted.max(1) as f64
    }

    /// Of the values given a confidence of `min` or more: `(right, given)`.
    pub fn right_at_or_above(&self, min: f32) -> (usize, usize) {
        let given: Vec<bool> = self
            .values
            .iter()
            .filter(|v| v.1 >= min)
            .map(|v| v.2)
            .collect();
        (given.iter().filter(|r| **r).count(), given.len())
    }

    /// The report as a text table, the notes below.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<20} {:>10} {:>8} {:>10} {:>8}\n",
            "gold field", "found", "recall", "wrong", "share"
        );
        let mut line = |name: &str, k: &FieldScore| {
            out.push_str(&format!(
                "{:<20} {:>10} {:>7.1}% {:>10} {:>7.1}%\n",
                name,
                format!("{}/{}", k.found, k.labelled),
                k.found as f64 * 100.0 / k.labelled.max(1) as f64,
                format!("{}/{}", k.wrong, k.emitted),
                k.wrong as f64 * 100.0 / k.emitted.max(1) as f64,
            ));
        };
        for (name, k) in &self.kinds {
            line(name, k);
        }
        line("all", &self.total());
        for n in &self.notes {
            out.push_str(&format!("  [gold] {n}\n"));
        }
        out
    }

    /// The reliability table: for each confidence band, the values given a
    /// confidence in it and the share of them that is right, over all kinds
    /// and per kind.
    pub fn reliability(&self) -> String {
        const BANDS: [(f32, f32); 5] =
            [(0.9, 1.01), (0.8, 0.9), (0.6, 0.8), (0.4, 0.6), (0.0, 0.4)];
        let mut kinds: Vec<&'static str> = self.values.iter().map(|v| v.0).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut out = String::from("| confidence | all |");
        for k in &kinds {
            out.push_str(&format!(" {k} |"));
        }
        out.push_str("\n|---|---|");
        out.push_str(&"---|".repeat(kinds.len()));
        out.push('\n');
        let cell = |vals: Vec<bool>| {
            if vals.is_empty() {
                "–".to_owned()
            } else {
                let right = vals.iter().filter(|r| **r).count();
                format!("{right}/{} right", vals.len())
            }
        };
        for (lo, hi) in BANDS {
            let band = |kind: Option<&str>| -> Vec<bool> {
                self.values
                    .iter()
                    .filter(|(k, c, _)| *c >= lo && *c < hi && kind.is_none_or(|x| x == *k))
                    .map(|v| v.2)
                    .collect()
            };
            out.push_str(&format!(
                "| {lo:.1}–{:.1} | {} |",
                hi.min(1.0),
                cell(band(None))
            ));
            for k in &kinds {
                out.push_str(&format!(" {} |", cell(band(Some(k)))));
            }
            out.push('\n');
        }
        out
    }

    fn kind(&mut self, name: &'static str) -> &mut FieldScore {
        self.kinds.entry(name).or_default()
    }
}

/// Scores `profile_from_page` on every page of `gold_dir` against `labels.json`.
pub fn score(gold_dir: &Path) -> anyhow::Result<GoldReport> {
    score_where(gold_dir, |_, _| true)
}

/// Which half of the gold set a page is in, by a hash of its file name
/// (FNV-1a): rules are written looking at one half and judged on the other.
pub fn half(file: &str) -> u8 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in file.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % 2) as u8
}

/// The first entries of `labels.json` are the pages the extraction rules
/// were first written against; the rest were added later, unseen.
pub const FIRST_PAGES: usize = 19;

/// Scores the pages `keep(position in labels.json, file)` selects.
pub fn score_where(
    gold_dir: &Path,
    keep: impl Fn(usize, &str) -> bool,
) -> anyhow::Result<GoldReport> {
    let labels: Vec<Value> = serde_json::from_slice(&std::fs::read(gold_dir.join("labels.json"))?)?;
    let config = Config::default();
    let mut report = GoldReport::default();
    for (i, label) in labels.iter().enumerate() {
        let file = label["file"].as_str().unwrap_or_default();
        if !keep(i, file) {
            continue;
        }
        let url = label["url"].as_str().unwrap_or("https://example.com/");
        let body = std::fs::read(gold_dir.join(file))?;
        let profile = profile_from_page(url, &body, None, &config);
        score_page(&mut report, file, label, &profile);
    }
    Ok(report)
}

fn score_page(report: &mut GoldReport, file: &str, label: &Value, p: &CompanyProfile) {
    let alts = &label["acceptable_alternates"];
    let short = file.split("__").nth(1).unwrap_or(file);

    for (kind, field) in [("name", &p.name), ("legal_name", &p.legal_name)] {
        scalar(
            report,
            short,
            kind,
            &label[kind],
            alts.get(kind),
            field
                .as_ref()
                .map(|f| (f.value.clone(), Some(f.confidence))),
            same_text,
        );
    }
    scalar(
        report,
        short,
        "domain",
        &label["domain"],
        alts.get("domain"),
        p.domain.clone().map(|d| (d, None)),
        same_text,
    );
    scalar(
        report,
        short,
        "logo_url",
        &label["logo_url"],
        alts.get("logo_url"),
        p.logo
            .as_ref()
            .map(|f| (f.value.clone(), Some(f.confidence))),
        same_url,
    );
    scalar(
        report,
        short,
        "founded_year",
        &label["founded_year"],
        alts.get("founded_year"),
        p.founded_year
            .as_ref()
            .map(|f| (f.value.to_string(), Some(f.confidence))),
        same_text,
    );

    // A description is present or not: both answers are labelled.
    {
        let want = label["description_present"].as_bool().unwrap_or(false);
        let have = p.description.is_some();
        let k = report.kind("description_present");
        k.labelled += 1;
        if have {
            k.emitted += 1;
        }
        if want == have {
            k.found += 1;
        } else {
            if have {
                k.wrong += 1;
            }
            report.notes.push(format!(
                "{short}: description_present: want {want}, got {:?}",
                p.description.as_ref().map(|f| clip(&f.value))
            ));
        }
    }

    list(
        report,
        short,
        "phones",
        &label["phones"],
        alts.get("phones"),
        p.phones
            .iter()
            .map(|f| (f.value.clone(), f.confidence))
            .collect(),
        |a, b| digits(a) == digits(b),
    );
    list(
        report,
        short,
        "emails",
        &label["emails"],
        alts.get("emails"),
        p.emails
            .iter()
            .map(|f| (f.value.clone(), f.confidence))
            .collect(),
        same_text,
    );

    // Address parts, each against the label's part or an alternate address's.
    let addr = p.headquarters.as_ref().map(|f| &f.value);
    for (part, kind) in [
        ("street", "address.street"),
        ("postal_code", "address.postal_code"),
        ("locality", "address.locality"),
        ("country", "address.country"),
    ] {
        let want = &label["address"][part];
        let mut options: Vec<Value> = vec![want.clone()];
        for alt in alts
            .get("address")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            options.push(if alt.is_null() {
                Value::Null
            } else {
                alt[part].clone()
            });
        }
        let conf = p.headquarters.as_ref().map(|f| f.confidence);
        let got = addr
            .and_then(|a| match part {
                "street" => a.street.clone(),
                "postal_code" => a.postal_code.clone(),
                "locality" => a.locality.clone(),
                _ => a.country.clone(),
            })
            .map(|v| (v, conf));
        judge(report, short, kind, want, &options, got, same_text);
    }

    // Social profiles of the schema's networks.
    for (key, network) in [
        ("linkedin", SocialNetwork::Linkedin),
        ("twitter", SocialNetwork::Twitter),
        ("facebook", SocialNetwork::Facebook),
        ("instagram", SocialNetwork::Instagram),
        ("youtube", SocialNetwork::Youtube),
        ("github", SocialNetwork::Github),
        ("xing", SocialNetwork::Xing),
    ] {
        let want = &label["social"][key];
        let mut options = vec![want.clone()];
        options.extend(
            alts.get(format!("social.{key}"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        let got = p
            .social
            .iter()
            .find(|f| f.value.network == network)
            .map(|f| (f.value.url.clone(), Some(f.confidence)));
        judge(report, short, "social", want, &options, got, same_url);
    }
    identifiers(report, short, label, p);
}

/// Identifiers as the set's README compares them: the numbers (a register's
/// number, not its authority), upper-case letters and digits only; the
/// labelled ones must be found, and any other emitted is wrong unless an
/// alternate names it.
fn identifiers(report: &mut GoldReport, file: &str, label: &Value, p: &CompanyProfile) {
    if label.get("identifiers").is_none() {
        return;
    }
    let key = |v: &Value| -> Option<String> {
        let n = v.get("number").unwrap_or(v).as_str()?;
        let k: String = n
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        (!k.is_empty()).then_some(k)
    };
    let wanted: Vec<String> = label["identifiers"]
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(key)
        .collect();
    let mut acceptable = wanted.clone();
    if let Some(alts) = label["acceptable_alternates"].as_object() {
        for (k, v) in alts {
            if k.starts_with("identifiers") {
                for a in v.as_array().into_iter().flatten() {
                    acceptable.extend(key(a));
                }
            }
        }
    }
    let ids = &p.identifiers;
    let got: Vec<(String, f32)> = [
        ids.vat_id.as_ref().map(|f| (f.value.clone(), f.confidence)),
        ids.register
            .as_ref()
            .map(|f| (f.value.number.clone(), f.confidence)),
        ids.company_number
            .as_ref()
            .map(|f| (f.value.clone(), f.confidence)),
        ids.lei.as_ref().map(|f| (f.value.clone(), f.confidence)),
    ]
    .into_iter()
    .flatten()
    .filter_map(|(v, c)| Some((key(&Value::String(v))?, c)))
    .collect();
    // A number written with or without its prefix (`IT…`, `B …`) matches.
    tally(
        report,
        file,
        "identifiers",
        &wanted,
        &acceptable,
        &got,
        same_number,
    );
}

/// One scalar field: the label, its alternates, what was emitted.
fn scalar(
    report: &mut GoldReport,
    file: &str,
    kind: &'static str,
    want: &Value,
    alts: Option<&Value>,
    got: Option<(String, Option<f32>)>,
    same: fn(&str, &str) -> bool,
) {
    let mut options = vec![want.clone()];
    options.extend(alts.and_then(Value::as_array).cloned().unwrap_or_default());
    judge(report, file, kind, want, &options, got, same);
}

fn judge(
    report: &mut GoldReport,
    file: &str,
    kind: &'static str,
    want: &Value,
    options: &[Value],
    got: Option<(String, Option<f32>)>,
    same: fn(&str, &str) -> bool,
) {
    let labelled = !want.is_null();
    let matches = |g: &str| {
        options
            .iter()
            .any(|o| value_text(o).is_some_and(|o| same(&o, g)))
    };
    let k = report.kind(kind);
    if labelled {
        k.labelled += 1;
    }
    match &got {
        Some((g, conf)) => {
            k.emitted += 1;
            let right = matches(g);
            if let Some(c) = conf {
                report.values.push((kind, *c, right));
            }
            let k = report.kind(kind);
            if right {
                if labelled {
                    k.found += 1;
                }
            } else {
                k.wrong += 1;
                let at = conf.map(|c| format!(" at {c:.2}")).unwrap_or_default();
                report.notes.push(format!(
                    "{file}: {kind}: WRONG {:?}{at}, want {}",
                    clip(g),
                    want
                ));
            }
        }
        None if labelled => {
            report.notes.push(format!("{file}: {kind}: missed {want}"));
        }
        None => {}
    }
}

/// A list field: each labelled value found counts; each emitted value in no
/// acceptable list is wrong.
fn list(
    report: &mut GoldReport,
    file: &str,
    kind: &'static str,
    want: &Value,
    alts: Option<&Value>,
    got: Vec<(String, f32)>,
    same: fn(&str, &str) -> bool,
) {
    let wanted: Vec<String> = want
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(value_text)
        .collect();
    let mut acceptable: Vec<String> = wanted.clone();
    for alt in alts.and_then(Value::as_array).into_iter().flatten() {
        acceptable.extend(alt.as_array().into_iter().flatten().filter_map(value_text));
    }
    tally(report, file, kind, &wanted, &acceptable, &got, same);
}

/// Counts a list of emitted values against the wanted ones: each wanted
/// one found, each emitted one in no acceptable list wrong.
fn tally(
    report: &mut GoldReport,
    file: &str,
    kind: &'static str,
    wanted: &[String],
    acceptable: &[String],
    got: &[(String, f32)],
    same: fn(&str, &str) -> bool,
) {
    let mut judged = Vec::new();
    let k = report.kind(kind);
    k.labelled += wanted.len();
    k.emitted += got.len();
    let mut notes = Vec::new();
    for w in wanted {
        if got.iter().any(|(g, _)| same(g, w)) {
            k.found += 1;
        } else {
            notes.push(format!("{file}: {kind}: missed {w:?}"));
        }
    }
    for (g, c) in got {
        let right = acceptable.iter().any(|a| same(a, g));
        if !right {
            k.wrong += 1;
            notes.push(format!("{file}: {kind}: WRONG {g:?} at {c:.2}"));
        }
        judged.push((kind, *c, right));
    }
    report.notes.extend(notes);
    report.values.extend(judged);
}

/// Identifier numbers: the same, or one the other with its prefix.
fn same_number(a: &str, b: &str) -> bool {
    a == b || (a.len().min(b.len()) >= 5 && (a.ends_with(b) || b.ends_with(a)))
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn fold(s: &str) -> String {
    s.replace(['’', '`'], "'")
        .replace(['®', '™'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn same_text(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

fn url_key(u: &str) -> String {
    let u = u.trim();
    let u = u.split_once("://").map_or(u, |(_, rest)| rest);
    let u = u.strip_prefix("www.").unwrap_or(u);
    let u = u.split(['?', '#']).next().unwrap_or(u);
    u.trim_end_matches('/').to_lowercase()
}

fn same_url(a: &str, b: &str) -> bool {
    url_key(a) == url_key(b)
}

fn digits(p: &str) -> String {
    p.chars().filter(char::is_ascii_digit).collect()
}

fn clip(s: &str) -> String {
    let s: String = s.chars().take(80).collect();
    s
}
