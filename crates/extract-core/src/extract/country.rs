//! A company's country, and only on evidence: the country its address
//! states, else one two kinds of evidence agree on (the domain's country
//! code, the calling code its numbers share, its identifiers' law, its
//! page's language); and the country letter of a postal code (`D-40472`).

use super::{phone, phone_digits, PageFacts};
use crate::{Address, Field};

/// How a profile's country was inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CountryEvidence {
    /// Written in the address, or implied by its postal-code format.
    Address,
    /// The domain's country-code TLD.
    Domain,
    /// The calling code of the page's international phone numbers.
    Phone,
}

/// The ISO country of the company: from its address, else from a
/// country-code domain, else from the calling code its numbers share.
pub(super) fn country_of(
    headquarters: &Option<Field<Address>>,
    domain: Option<&str>,
    pages: &[&PageFacts],
) -> Option<(&'static str, CountryEvidence)> {
    if let Some(c) = headquarters
        .as_ref()
        .and_then(|h| h.value.country.as_deref())
        .and_then(phone::country_code)
    {
        return Some((c, CountryEvidence::Address));
    }
    if let Some(c) = domain.and_then(phone::country_of_domain) {
        return Some((c, CountryEvidence::Domain));
    }
    let code = shared_calling_code(pages)?;
    headquarters
        .is_some()
        .then_some((code, CountryEvidence::Phone))
}

/// The country of the calling code every international number of `pages`
/// shares, if they share one.
pub(crate) fn shared_calling_code(pages: &[&PageFacts]) -> Option<&'static str> {
    let mut codes = pages
        .iter()
        .flat_map(|p| p.phones.iter())
        .filter(|p| p.value.starts_with('+'))
        .filter_map(|p| phone::country_of_e164(&phone_digits(&p.value)));
    let first = codes.next()?;
    codes.all(|c| c == first).then_some(first)
}

/// The country two kinds of evidence agree on: the domain's country code,
/// the calling code all the international numbers share, the country of
/// the identifiers (a VAT prefix, an HRB, RCS, KvK or REA entry), and the
/// page's language where it is spoken there.
pub(super) fn agreed_country(
    domain: Option<&str>,
    pages: &[&PageFacts],
    ids: &crate::Identifiers,
) -> Option<&'static str> {
    let mut votes: Vec<&'static str> = Vec::new();
    votes.extend(domain.and_then(phone::country_of_domain));
    votes.extend(shared_calling_code(pages));
    votes.extend(identifier_country(ids));
    let lang = pages
        .first()
        .and_then(|p| p.lang.as_deref())
        .unwrap_or_default();
    let spoken = language_countries(lang);
    let candidates: Vec<&'static str> = votes.clone();
    candidates.into_iter().find(|c| {
        let kinds = votes.iter().filter(|v| *v == c).count() + usize::from(spoken.contains(c));
        kinds >= 2
    })
}

/// The country whose law an identifier belongs to.
pub(crate) fn identifier_country(ids: &crate::Identifiers) -> Option<&'static str> {
    if let Some(c) = ids.vat_id.as_ref().and_then(|v| vat_country(&v.value)) {
        return Some(c);
    }
    register_country(&ids.register.as_ref()?.value)
}

/// The country whose register an entry is in (an HRB, FN, RCS, KvK or REA entry).
pub(super) fn register_country(r: &crate::Register) -> Option<&'static str> {
    let n = &r.number;
    let a = r.authority.as_deref().unwrap_or_default();
    if n.starts_with("HRA") || n.starts_with("HRB") {
        Some("DE")
    } else if n.starts_with("FN ") {
        Some("AT")
    } else if a.starts_with("RCS") {
        Some("FR")
    } else if a == "KvK" {
        Some("NL")
    } else if a.starts_with("Registro") || a == "REA" {
        Some("IT")
    } else {
        None
    }
}

/// The country of a VAT id, by its prefix (`DE…`, `CHE…`, `EL…` for Greece).
pub(super) fn vat_country(vat: &str) -> Option<&'static str> {
    const VAT: [&str; 21] = [
        "DE", "AT", "IT", "FR", "NL", "ES", "BE", "GB", "DK", "SE", "PL", "PT", "LU", "FI", "IE",
        "CZ", "SK", "HU", "SI", "HR", "NO",
    ];
    if vat.starts_with("CHE") {
        return Some("CH");
    }
    if vat.starts_with("EL") {
        return Some("GR");
    }
    VAT.iter().find(|cc| vat.starts_with(**cc)).copied()
}

/// The countries whose law a legal name's form belongs to (`Kry
/// International AB` -> SE, `X GmbH` -> DE, AT, CH); none for a name
/// without a form or with one many countries use (`Ltd`, `SA`, `Inc`,
/// `Corporation`: a Japanese parent's name is often so).
pub(super) fn legal_form_countries(legal_name: &str) -> Option<&'static [&'static str]> {
    // "X AB (publ)": the form before a parenthesised qualifier.
    let name = legal_name.split('(').next().unwrap_or(legal_name);
    let last = name
        .trim()
        .trim_end_matches(['.', ','])
        .rsplit([' ', ','])
        .next()?
        .to_ascii_lowercase();
    let countries: &'static [&'static str] = match last.as_str() {
        "gmbh" | "ag" | "kg" | "ohg" | "ug" | "e.k" | "mbh" => &["DE", "AT", "CH", "LI", "LU"],
        "sarl" | "sasu" | "eurl" | "s.a.r.l" => &["FR", "LU", "BE"],
        // An Italian "società in accomandita semplice" is an SAS too.
        "sas" | "sca" | "snc" | "s.a.s" => &["FR", "LU", "BE", "IT"],
        "ab" => &["SE", "FI"],
        "oy" | "oyj" => &["FI"],
        "aps" | "a/s" => &["DK", "NO"],
        "asa" => &["NO"],
        "spa" | "s.p.a" | "srl" | "s.r.l" | "srls" => &["IT", "RO"],
        "bv" | "b.v" | "nv" | "n.v" | "bvba" => &["NL", "BE"],
        "plc" | "llp" => &["GB", "IE"],
        _ => return None,
    };
    Some(countries)
}

/// The countries where a page's language (`de`, `fr-BE`) is an official
/// one; a region subtag names its country alone.
pub(crate) fn language_countries(lang: &str) -> Vec<&'static str> {
    let (code, region) = lang.split_once(['-', '_']).unwrap_or((lang, ""));
    if region.len() == 2 {
        if let Some(c) = phone::country_code(&region.to_ascii_uppercase()) {
            return vec![c];
        }
    }
    match code {
        "de" => vec!["DE", "AT", "CH", "LU", "LI"],
        "fr" => vec!["FR", "BE", "CH", "LU", "MC"],
        "it" => vec!["IT", "CH", "SM"],
        "nl" => vec!["NL", "BE"],
        "es" => vec!["ES"],
        "pt" => vec!["PT", "BR"],
        "sv" => vec!["SE"],
        "da" => vec!["DK"],
        "nb" | "nn" | "no" => vec!["NO"],
        "fi" => vec!["FI"],
        "pl" => vec!["PL"],
        "cs" => vec!["CZ"],
        "ja" => vec!["JP"],
        _ => Vec::new(),
    }
}

/// A postal code written with its country's letter (`D-40472`, `CH-8001`,
/// `F-75001`): the code alone, and the country from the letter where the
/// address names none.
pub(super) fn split_country_prefix(a: &mut Address) {
    const PREFIXES: [(&str, &str); 18] = [
        ("D", "DE"),
        ("DE", "DE"),
        ("A", "AT"),
        ("AT", "AT"),
        ("CH", "CH"),
        ("F", "FR"),
        ("FR", "FR"),
        ("I", "IT"),
        ("IT", "IT"),
        ("NL", "NL"),
        ("B", "BE"),
        ("BE", "BE"),
        ("L", "LU"),
        ("DK", "DK"),
        ("S", "SE"),
        ("E", "ES"),
        ("P", "PT"),
        ("FL", "LI"),
    ];
    let Some(code) = a.postal_code.as_deref() else {
        return;
    };
    let Some((prefix, rest)) = code.split_once('-') else {
        return;
    };
    let rest = rest.trim();
    let Some((_, iso)) = PREFIXES.iter().find(|(p, _)| *p == prefix.trim()) else {
        return;
    };
    if rest.len() >= 4 && rest.chars().all(|c| c.is_ascii_digit()) {
        a.postal_code = Some(rest.to_owned());
        if a.country.is_none() {
            a.country = Some((*iso).to_owned());
        }
    }
}

#[cfg(test)]
mod prefix_tests {
    use super::*;

    #[test]
    fn a_postal_code_s_country_letter_is_split_off() {
        let check = |code: &str, country: Option<&str>, want: (&str, Option<&str>)| {
            let mut a = Address {
                postal_code: Some(code.to_owned()),
                country: country.map(str::to_owned),
                ..Address::default()
            };
            split_country_prefix(&mut a);
            assert_eq!(
                (a.postal_code.as_deref().unwrap(), a.country.as_deref()),
                want,
                "{code}"
            );
        };
        check("D-40472", None, ("40472", Some("DE")));
        check("CH-8001", Some("Schweiz"), ("8001", Some("Schweiz")));
        check("F-75001", None, ("75001", Some("FR")));
        // Not a country letter, or not digits after it: as written.
        check("SW1A-1AA", None, ("SW1A-1AA", None));
        check("40472", None, ("40472", None));
    }
}

#[cfg(test)]
mod country_tests {
    use crate::extract::{merge, page, Limits};

    fn country(url: &str, lang: &str, body: &str) -> Option<String> {
        let html = format!("<html lang=\"{lang}\"><body>{body}</body></html>");
        let facts = page(url, html.as_bytes(), None, &Limits::default());
        let domain = url::Url::parse(url)
            .unwrap()
            .host_str()
            .unwrap()
            .trim_start_matches("www.")
            .to_owned();
        merge([&facts], Some(&domain))
            .headquarters
            .and_then(|h| h.value.country)
    }

    #[test]
    fn a_country_needs_a_statement_or_two_agreeing_signs() {
        // The domain alone is not enough.
        assert_eq!(
            country("https://www.beispiel.de/", "", "<p>Willkommen</p>"),
            None
        );
        // The domain and the language agree.
        assert_eq!(
            country("https://www.beispiel.de/", "de", "<p>Willkommen</p>"),
            Some("DE".into())
        );
        // The domain and the imprint's VAT id agree; the language is silent.
        assert_eq!(
            country("https://www.exemple.fr/", "", "<p>TVA FR40303265045</p>"),
            Some("FR".into())
        );
        // A .com and an English page: nothing to go on.
        assert_eq!(
            country("https://www.example-shop.com/", "en", "<p>Hello</p>"),
            None
        );
        // Stated in the address: given.
        assert_eq!(
            country(
                "https://www.example-shop.com/",
                "en",
                r#"<script type="application/ld+json">{"@type":"Organization","name":"Acme","address":{"@type":"PostalAddress","streetAddress":"1 High Street","addressLocality":"London","addressCountry":"United Kingdom"}}</script>"#
            ),
            Some("GB".into())
        );
    }

    #[test]
    fn an_identifier_of_another_law_than_the_legal_forms_is_held_back() {
        use super::legal_form_countries;
        assert_eq!(
            legal_form_countries("Exempel International AB (publ)"),
            Some(&["SE", "FI"][..])
        );
        assert_eq!(
            legal_form_countries("Beispiel GmbH"),
            Some(&["DE", "AT", "CH", "LI", "LU"][..])
        );
        assert_eq!(legal_form_countries("Example Ltd"), None);
        assert_eq!(legal_form_countries("Example Corporation"), None);
        assert!(
            legal_form_countries("Pastificio di Esempio SAS").is_some_and(|c| c.contains(&"IT"))
        );
        assert_eq!(legal_form_countries("Example"), None);

        let facts = |body: &str| {
            let html = format!("<html lang=\"fr\"><body>{body}</body></html>");
            page(
                "https://www.exemple.fr/mentions-legales",
                html.as_bytes(),
                None,
                &Limits::default(),
            )
        };
        // The publisher is a Swedish AB; the footer's RCS entry is a French subsidiary's.
        let f = facts(
            "<p>La plateforme est éditée par Exempel International AB, société de droit suédois, enregistrée sous le numéro 556036-0793.</p>\
             <footer><p>Exemple France, SARL au capital de 15 000 euros, RCS Paris 830 543 088.</p></footer>",
        );
        let m = merge([&f], Some("exemple.fr"));
        assert_eq!(
            m.legal_name.as_ref().map(|l| l.value.as_str()),
            Some("Exempel International AB")
        );
        assert_eq!(m.identifiers.register, None);
        assert!(
            m.conflicts
                .iter()
                .any(|c| c.field == "identifiers.register" && c.value.contains("830 543 088")),
            "{:?}",
            m.conflicts
        );
        // A French SAS keeps its own RCS entry.
        let f = facts("<p>Le site est édité par Exemple SAS, RCS Paris 830 543 088.</p>");
        let m = merge([&f], Some("exemple.fr"));
        assert!(m.identifiers.register.is_some(), "{:?}", m.identifiers);
    }
}
