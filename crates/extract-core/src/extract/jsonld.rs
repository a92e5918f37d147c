//! Reading organisations out of JSON-LD blocks: `@graph`, arrays, nested
//! publishers, `@id` references, and every Organization subtype.

use serde_json::{Map, Value};

use super::html::collapse_ws;
use super::schema::{employees_of, is_org_type, year_of, OrgFacts, Role};
use crate::Address;

/// Properties whose value, when an organisation, is the page's subject.
const PRIMARY_PROPS: &[&str] = &["mainEntity", "about", "mainEntityOfPage"];
/// Properties whose value, when an organisation, publishes the page.
const PUBLISHER_PROPS: &[&str] = &[
    "publisher",
    "provider",
    "sourceOrganization",
    "copyrightHolder",
];
/// Properties whose value, when an organisation, is only mentioned.
const RELATED_PROPS: &[&str] = &[
    "brand",
    "manufacturer",
    "author",
    "creator",
    "parentOrganization",
    "seller",
];

/// Every organisation in the blocks, with its role on the page.
pub(crate) fn organizations(blocks: &[String]) -> Vec<(OrgFacts, Role)> {
    let mut nodes: Vec<Value> = Vec::new();
    for block in blocks {
        if let Some(v) = parse_block(block) {
            flatten(v, &mut nodes, 0);
        }
    }
    let mut out = Vec::new();
    for node in &nodes {
        collect(node, &nodes, Role::Primary, &mut out, 0);
    }
    // The same node reached twice (top level and by reference) counts once, with its best role.
    out.sort_by_key(|(_, role)| *role);
    let mut unique: Vec<(OrgFacts, Role)> = Vec::new();
    for (facts, role) in out {
        if !unique.iter().any(|(f, _)| *f == facts) {
            unique.push((facts, role));
        }
    }
    unique
}

/// Parses one block, tolerating what real pages do: HTML comments or CDATA
/// around the JSON, trailing garbage after it, control characters.
pub(crate) fn parse_block(block: &str) -> Option<Value> {
    let trimmed = block
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("//]]>")
        .trim_end_matches("]]>")
        .trim();
    if let Ok(v) = serde_json::from_str(trimmed) {
        return Some(v);
    }
    // Raw newlines and tabs inside strings are common and not valid JSON.
    let cleaned: String = trimmed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if let Ok(v) = serde_json::from_str(&cleaned) {
        return Some(v);
    }
    // Trailing garbage: read the first complete value.
    serde_json::Deserializer::from_str(&cleaned)
        .into_iter::<Value>()
        .next()
        .and_then(Result::ok)
}

fn flatten(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 4 || out.len() > 256 {
        return;
    }
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten(i, out, depth + 1)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                flatten(graph, out, depth + 1);
            }
            if map.keys().any(|k| k != "@context") {
                out.push(Value::Object(map));
            }
        }
        _ => {}
    }
}

fn collect(node: &Value, all: &[Value], role: Role, out: &mut Vec<(OrgFacts, Role)>, depth: usize) {
    if depth > 6 || out.len() > 64 {
        return;
    }
    let Some(map) = node.as_object() else {
        if let Some(items) = node.as_array() {
            for i in items {
                collect(i, all, role, out, depth + 1);
            }
        }
        return;
    };
    // A bare reference: {"@id": "..."} pointing at a node of the graph.
    let resolved;
    let map = if map.len() == 1 && map.contains_key("@id") {
        match find_by_id(
            all,
            map.get("@id").and_then(Value::as_str).unwrap_or_default(),
        ) {
            Some(m) => {
                resolved = m;
                resolved
            }
            None => return,
        }
    } else {
        map
    };
    if types(map).iter().any(|t| is_org_type(t)) {
        out.push((facts(map), role));
    }
    let child_role = |r: Role| {
        if role == Role::Related {
            Role::Related
        } else {
            r
        }
    };
    for (props, r) in [
        (PRIMARY_PROPS, Role::Primary),
        (PUBLISHER_PROPS, Role::Publisher),
        (RELATED_PROPS, Role::Related),
    ] {
        for p in props {
            if let Some(v) = map.get(*p) {
                collect(v, all, child_role(r), out, depth + 1);
            }
        }
    }
    // A WebPage or WebSite may carry its publisher under isPartOf.
    if let Some(v) = map.get("isPartOf") {
        collect(v, all, child_role(Role::Publisher), out, depth + 1);
    }
}

fn find_by_id<'a>(all: &'a [Value], id: &str) -> Option<&'a Map<String, Value>> {
    if id.is_empty() {
        return None;
    }
    all.iter()
        .filter_map(Value::as_object)
        .find(|m| m.get("@id").and_then(Value::as_str) == Some(id) && m.len() > 1)
}

fn types(map: &Map<String, Value>) -> Vec<&str> {
    match map.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The first string in a value that may be a string, a number, an array, or
/// an object with the string under one of `keys`.
fn text(v: Option<&Value>, keys: &[&str]) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => return a.iter().find_map(|i| text(Some(i), keys)),
        Value::Object(m) => return keys.iter().find_map(|k| text(m.get(*k), keys)),
        _ => return None,
    };
    let s = collapse_ws(&super::html::decode(&s));
    (!s.is_empty()).then_some(s)
}

fn texts(v: Option<&Value>, keys: &[&str]) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(|i| text(Some(i), keys)).collect(),
        other => text(other, keys).into_iter().collect(),
    }
}

fn facts(map: &Map<String, Value>) -> OrgFacts {
    let mut f = OrgFacts {
        types: types(map)
            .into_iter()
            .map(|t| t.rsplit(['/', '#', ':']).next().unwrap_or(t).to_owned())
            .collect(),
        name: text(map.get("name"), &["@value"]),
        legal_name: text(map.get("legalName"), &["@value"]),
        description: text(map.get("description"), &["@value"]),
        url: text(map.get("url"), &["@id", "url"]),
        logo: text(map.get("logo"), &["url", "contentUrl", "@id"]).or_else(|| {
            text(map.get("image"), &["url", "contentUrl"])
                .filter(|i| i.to_ascii_lowercase().contains("logo"))
        }),
        same_as: texts(map.get("sameAs"), &["@id", "url"]),
        address: address(map.get("address"))
            .or_else(|| address(map.get("location").and_then(|l| l.get("address")))),
        phones: texts(map.get("telephone"), &[]),
        emails: texts(map.get("email"), &[])
            .into_iter()
            .map(|e| e.trim_start_matches("mailto:").to_ascii_lowercase())
            .collect(),
        founded: text(map.get("foundingDate"), &["@value"]).and_then(|d| year_of(&d)),
        employees: employees(map.get("numberOfEmployees")),
        keywords: keywords(map.get("keywords")),
        industries: texts(map.get("industry"), &["name", "@value"])
            .into_iter()
            .chain(texts(map.get("knowsAbout"), &["name", "@value"]))
            .take(16)
            .collect(),
        vat_id: text(map.get("vatID"), &["@value"]).or_else(|| text(map.get("taxID"), &["@value"])),
        lei: text(map.get("leiCode"), &["@value"]),
    };
    for cp in contact_points(map.get("contactPoint")) {
        f.phones.extend(texts(cp.get("telephone"), &[]));
        f.emails.extend(
            texts(cp.get("email"), &[])
                .into_iter()
                .map(|e| e.trim_start_matches("mailto:").to_ascii_lowercase()),
        );
    }
    f
}

fn contact_points(v: Option<&Value>) -> Vec<&Map<String, Value>> {
    match v {
        Some(Value::Object(m)) => vec![m],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

fn address(v: Option<&Value>) -> Option<Address> {
    let a = match v? {
        Value::Array(items) => return items.iter().find_map(|i| address(Some(i))),
        Value::String(s) => {
            let s = collapse_ws(s);
            return (!s.is_empty()).then(|| Address {
                street: Some(s),
                ..Address::default()
            });
        }
        Value::Object(m) => super::address::tidy(Address {
            street: text(m.get("streetAddress"), &[]),
            locality: text(m.get("addressLocality"), &["name"]),
            region: text(m.get("addressRegion"), &["name"]),
            postal_code: text(m.get("postalCode"), &[]),
            country: text(m.get("addressCountry"), &["name", "@id"]),
        }),
        _ => return None,
    };
    (!a.is_empty()).then_some(a)
}

fn employees(v: Option<&Value>) -> Option<crate::Employees> {
    match v? {
        Value::Number(n) => n.as_u64().map(|n| crate::Employees {
            min: n,
            max: Some(n),
        }),
        Value::String(s) => employees_of(s),
        Value::Object(m) => {
            if let Some(v) = m.get("value") {
                return employees(Some(v));
            }
            let num = |k: &str| -> Option<u64> {
                match m.get(k)? {
                    Value::Number(n) => n.as_u64(),
                    Value::String(s) => s.trim().replace(',', "").parse().ok(),
                    _ => None,
                }
            };
            let min = num("minValue")?;
            Some(crate::Employees {
                min,
                max: num("maxValue"),
            })
        }
        Value::Array(a) => a.iter().find_map(|i| employees(Some(i))),
        _ => None,
    }
}

fn keywords(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = match v {
        Some(Value::String(s)) => s.split(',').map(collapse_ws).collect(),
        Some(Value::Array(a)) => a.iter().filter_map(|i| text(Some(i), &["name"])).collect(),
        _ => Vec::new(),
    };
    out.retain(|k| !k.is_empty() && k.len() <= 64);
    out.truncate(32);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orgs(json: &str) -> Vec<(OrgFacts, Role)> {
        organizations(&[json.to_owned()])
    }

    #[test]
    fn graph_references_and_subtypes() {
        let found = orgs(
            r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","@id":"https://acme.com/#website","publisher":{"@id":"https://acme.com/#org"}},
            {"@type":["Corporation"],"@id":"https://acme.com/#org","name":"Acme &amp; Co","legalName":"Acme Inc.",
             "logo":{"@type":"ImageObject","url":"https://acme.com/logo.png"},
             "sameAs":["https://twitter.com/acme","https://www.linkedin.com/company/acme"],
             "address":{"@type":"PostalAddress","addressLocality":"Springfield","addressCountry":{"@type":"Country","name":"US"}},
             "contactPoint":[{"@type":"ContactPoint","telephone":"+1-555-0100","email":"mailto:Sales@acme.com"}],
             "foundingDate":"1949-05-01","numberOfEmployees":{"@type":"QuantitativeValue","value":1200}}]}"#,
        );
        assert_eq!(found.len(), 1);
        let (f, role) = &found[0];
        assert_eq!(*role, Role::Primary);
        assert_eq!(f.name.as_deref(), Some("Acme & Co"));
        assert_eq!(f.legal_name.as_deref(), Some("Acme Inc."));
        assert_eq!(f.logo.as_deref(), Some("https://acme.com/logo.png"));
        assert_eq!(f.same_as.len(), 2);
        assert_eq!(f.address.as_ref().unwrap().country.as_deref(), Some("US"));
        assert_eq!(f.phones, vec!["+1-555-0100"]);
        assert_eq!(f.emails, vec!["sales@acme.com"]);
        assert_eq!(f.founded, Some(1949));
        assert_eq!(f.employees.unwrap().min, 1200);
    }

    #[test]
    fn publisher_of_an_article_and_broken_blocks() {
        let found = orgs(
            r#"<!-- {"@type":"NewsArticle","headline":"x","publisher":{"@type":"NewsMediaOrganization","name":"The Daily","logo":"https://d.com/l.png"}} -->"#,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Role::Publisher);
        assert!(orgs("{not json").is_empty());
        assert!(orgs("null").is_empty());
        assert_eq!(
            orgs("{\"@type\":\"Organization\",\"name\":\"A\nB\"} trailing").len(),
            1
        );
    }
}
