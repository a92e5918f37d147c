//! The merge of several pages' facts into one value per field, by
//! confidence, with the losers kept as conflicts and the country inferred
//! when no page states it.

use serde::Serialize;

use super::country::{agreed_country, country_of, split_country_prefix, CountryEvidence};
use super::{phone, phone_digits, PageFacts};
use crate::{Address, Conflict, Employees, Field, Method, SocialNetwork, SocialProfile};

/// The most a social profile given only in JSON-LD's `sameAs`, and not
/// linked on the page, is trusted.
const UNLINKED_SAME_AS: f32 = 0.76;

/// The best value of each field over several pages.

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Merged {
    /// Company name.
    pub name: Option<Field<String>>,
    /// The website's name (often, not always, the company's).
    pub site_name: Option<Field<String>>,
    /// Legal name.
    pub legal_name: Option<Field<String>>,
    /// Description.
    pub description: Option<Field<String>>,
    /// Logo URL.
    pub logo: Option<Field<String>>,
    /// Icon URL (favicon or touch icon), kept apart from the logo.
    pub icon: Option<Field<String>>,
    /// Founding year.
    pub founded_year: Option<Field<u16>>,
    /// Legal identifiers, the most confident of each kind.
    pub identifiers: crate::Identifiers,
    /// Head count.
    pub employees: Option<Field<Employees>>,
    /// Headquarters.
    pub headquarters: Option<Field<Address>>,
    /// Phones, best first, duplicates removed.
    pub phones: Vec<Field<String>>,
    /// Emails, best first, duplicates removed.
    pub emails: Vec<Field<String>>,
    /// One profile per network, best first.
    pub social: Vec<Field<SocialProfile>>,
    /// Keywords, first seen first.
    pub keywords: Vec<String>,
    /// schema.org organisation types seen (for the classifier).
    pub schema_types: Vec<String>,
    /// Values that lost to the chosen ones.
    pub conflicts: Vec<Conflict>,
}

/// Merges the facts of several pages: for single values the most confident
/// candidate wins (the earlier page on a tie) and the disagreeing ones are
/// recorded as conflicts; lists are deduplicated. Phone numbers become E.164
/// when their country is known from the address or from `domain`.
pub fn merge<'a>(pages: impl IntoIterator<Item = &'a PageFacts>, domain: Option<&str>) -> Merged {
    let pages: Vec<&PageFacts> = pages.into_iter().collect();
    let all =
        |f: fn(&PageFacts) -> &Vec<Field<String>>| pages.iter().flat_map(move |p| f(p).iter());
    let mut conflicts = Vec::new();
    let name = best(all(|p| &p.names));
    record_conflicts(
        "name",
        &name,
        all(|p| &p.names),
        |a, b| a.eq_ignore_ascii_case(b),
        |v| v.clone(),
        &mut conflicts,
    );
    let legal_name = best(all(|p| &p.legal_names));
    record_conflicts(
        "legal_name",
        &legal_name,
        all(|p| &p.legal_names),
        |a, b| a.eq_ignore_ascii_case(b),
        |v| v.clone(),
        &mut conflicts,
    );
    let founded_year = best(pages.iter().flat_map(|p| p.founded.iter()));
    record_conflicts(
        "founded_year",
        &founded_year,
        pages.iter().flat_map(|p| p.founded.iter()),
        |a, b| a == b,
        u16::to_string,
        &mut conflicts,
    );
    let employees = best(pages.iter().flat_map(|p| p.employees.iter()));
    record_conflicts(
        "employees",
        &employees,
        pages.iter().flat_map(|p| p.employees.iter()),
        |a, b| a == b,
        |e| format!("{}-{:?}", e.min, e.max),
        &mut conflicts,
    );
    let headquarters = best(pages.iter().flat_map(|p| p.addresses.iter())).map(|mut h| {
        split_country_prefix(&mut h.value);
        h
    });
    record_conflicts(
        "headquarters",
        &headquarters,
        pages.iter().flat_map(|p| p.addresses.iter()),
        |a, b| a.locality.is_none() || b.locality.is_none() || a.locality == b.locality,
        |a| {
            [
                a.street.as_deref(),
                a.locality.as_deref(),
                a.country.as_deref(),
            ]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
        },
        &mut conflicts,
    );
    let identifiers = crate::Identifiers {
        vat_id: best(pages.iter().filter_map(|p| p.identifiers.vat_id.as_ref())),
        register: best(pages.iter().filter_map(|p| p.identifiers.register.as_ref())),
        company_number: best(
            pages
                .iter()
                .filter_map(|p| p.identifiers.company_number.as_ref()),
        ),
        lei: best(pages.iter().filter_map(|p| p.identifiers.lei.as_ref())),
    };
    let mut identifiers = identifiers;
    hold_back_foreign_identifiers(&legal_name, &mut identifiers, &mut conflicts);
    let country = country_of(&headquarters, domain, &pages);
    // A country the address does not state is given only when two kinds of
    // evidence agree on it (domain, calling code, imprint law, language).
    let agreed = agreed_country(domain, &pages, &identifiers);
    let mut headquarters = headquarters;
    match (&mut headquarters, country) {
        // The address's country in ISO form.
        (Some(h), Some((iso, CountryEvidence::Address))) => {
            h.value.country = Some(iso.to_owned());
        }
        // Where the address wrote none, the agreed one.
        (Some(h), _) if h.value.country.is_none() => {
            h.value.country = agreed.map(str::to_owned);
        }
        // No address: the agreed country alone, weakly.
        (None, _) => {
            if let Some(iso) = agreed {
                let mut f = Field::new(
                    Address {
                        country: Some(iso.to_owned()),
                        ..Address::default()
                    },
                    pages.first().map_or("", |p| p.url.as_str()),
                    crate::Method::Meta,
                );
                f.confidence = 0.4;
                headquarters = Some(f);
            }
        }
        _ => {}
    }
    let country = country.map(|(iso, _)| iso);
    // An English page with no country evidence: a number in the North
    // American 3-3-4 shape ("877-488-4224") is one of the +1 plan.
    let english = pages
        .first()
        .and_then(|p| p.lang.as_deref())
        .is_some_and(|l| l == "en" || l.starts_with("en-"));
    let phones = unique(all(|p| &p.phones), same_phone)
        .into_iter()
        .map(|mut f| {
            let country =
                country.or_else(|| (english && phone::nanp_shaped(&f.value)).then_some("US"));
            if let Some(e164) = phone::to_e164(&f.value, country) {
                f.value = e164;
            }
            f
        })
        .collect();
    let mut m = Merged {
        name,
        site_name: best(all(|p| &p.site_names)),

        legal_name,
        description: best(all(|p| &p.descriptions)).map(|mut d| {
            if d.value.chars().count() > 1000 {
                d.value = d.value.chars().take(1000).collect();
            }
            d
        }),
        // A "logo" that is also the page's favicon is an icon first: it
        // stands in only when nothing else is named the logo.
        logo: best(
            all(|p| &p.logos)
                .map(|l| {
                    let mut l = l.clone();
                    if all(|p| &p.icons).any(|i| i.value == l.value) {
                        l.confidence = l.confidence.min(0.6);
                    }
                    l
                })
                .collect::<Vec<_>>()
                .iter(),
        ),
        icon: best(all(|p| &p.icons)),
        founded_year,
        identifiers,
        employees,
        headquarters,
        phones,
        emails: unique(all(|p| &p.emails), |a, b| a.eq_ignore_ascii_case(b)),
        social: Vec::new(),
        keywords: Vec::new(),
        schema_types: Vec::new(),
        conflicts,
    };
    let linked = |url: &str| {
        pages
            .iter()
            .flat_map(|p| p.social.iter())
            .any(|l| l.source.method == Method::Link && l.value.url.eq_ignore_ascii_case(url))
    };
    for network in SocialNetwork::ALL {
        if let Some(mut s) = best(
            pages
                .iter()
                .flat_map(|p| p.social.iter())
                .filter(|s| s.value.network == network),
        ) {
            // A structured-data `sameAs` the page does not also link to is
            // often a plugin's stale or default list: less sure than one
            // the visitor is shown.
            if s.source.method == Method::JsonLd && !linked(&s.value.url) {
                s.confidence = s.confidence.min(UNLINKED_SAME_AS);
            }
            m.social.push(s);
        }
    }
    for k in pages.iter().flat_map(|p| p.keywords.iter()) {
        if m.keywords.len() < 32 && !m.keywords.contains(k) {
            m.keywords.push(k.clone());
        }
    }
    for t in pages.iter().flat_map(|p| p.schema_types.iter()) {
        if !m.schema_types.contains(t) {
            m.schema_types.push(t.clone());
        }
    }
    m
}

/// Moves a VAT id or register entry of another country's law than the
/// legal name's form to the conflicts: an imprint that names a Swedish AB
/// as its publisher and a French SARL in its footer gives the AB's profile,
/// and the SARL's RCS entry is another company's.
fn hold_back_foreign_identifiers(
    legal_name: &Option<Field<String>>,
    ids: &mut crate::Identifiers,
    conflicts: &mut Vec<Conflict>,
) {
    let Some(form) = legal_name
        .as_ref()
        .and_then(|l| super::country::legal_form_countries(&l.value))
    else {
        return;
    };
    let foreign = |c: Option<&str>| c.is_some_and(|c| !form.contains(&c));
    let mut hold = |field: &str, value: String, source: crate::Source, confidence: f32| {
        conflicts.push(Conflict {
            field: field.to_owned(),
            value,
            source,
            confidence,
        });
    };
    if let Some(r) = ids
        .register
        .take_if(|r| foreign(super::country::register_country(&r.value)))
    {
        let value = match &r.value.authority {
            Some(a) => format!("{a} {}", r.value.number),
            None => r.value.number.clone(),
        };
        hold("identifiers.register", value, r.source, r.confidence);
    }
    if let Some(v) = ids
        .vat_id
        .take_if(|v| foreign(super::country::vat_country(&v.value)))
    {
        hold("identifiers.vat_id", v.value, v.source, v.confidence);
    }
}

/// Records every candidate that disagrees with the chosen value, once per value.
fn record_conflicts<'a, T: 'a>(
    field: &str,
    chosen: &Option<Field<T>>,
    candidates: impl Iterator<Item = &'a Field<T>>,
    same: impl Fn(&T, &T) -> bool,
    show: impl Fn(&T) -> String,
    out: &mut Vec<Conflict>,
) {
    let Some(chosen) = chosen else { return };
    let mut seen: Vec<String> = Vec::new();
    for c in candidates {
        if same(&c.value, &chosen.value) {
            continue;
        }
        let value = show(&c.value);
        if seen.contains(&value) || out.len() >= 32 {
            continue;
        }
        seen.push(value.clone());
        out.push(Conflict {
            field: field.to_owned(),
            value,
            source: c.source.clone(),
            confidence: c.confidence,
        });
    }
}

fn best<'a, T: Clone + 'a>(candidates: impl Iterator<Item = &'a Field<T>>) -> Option<Field<T>> {
    let mut best: Option<&Field<T>> = None;
    for c in candidates {
        if best.is_none_or(|b| c.confidence > b.confidence) {
            best = Some(c);
        }
    }
    best.cloned()
}

fn unique<'a>(
    candidates: impl Iterator<Item = &'a Field<String>>,
    same: impl Fn(&str, &str) -> bool,
) -> Vec<Field<String>> {
    let mut sorted: Vec<&Field<String>> = candidates.collect();
    // Stable: equally confident values keep page order.
    sorted.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut out: Vec<Field<String>> = Vec::new();
    for c in sorted {
        if !out.iter().any(|o| same(&o.value, &c.value)) && out.len() < 16 {
            out.push(c.clone());
        }
    }
    out
}

/// Two phone numbers are the same when their digits are, or when one is the
/// other with a country code in front.
fn same_phone(a: &str, b: &str) -> bool {
    let (a, b) = (phone_digits(a), phone_digits(b));
    let (a, b) = (a.trim_start_matches('+'), b.trim_start_matches('+'));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && long.ends_with(short) && long.len() - short.len() <= 3
}
