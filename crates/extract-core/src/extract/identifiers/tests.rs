//! Each pattern on a small synthetic imprint written for it.

use super::*;

/// `text` read; `want` the first of each kind (`None` where none).
fn check(text: &str, vat: Option<&str>, register: Option<&str>, company: Option<&str>) {
    let found = identifiers(text);
    assert_eq!(
        found.vat_ids.first().map(String::as_str),
        vat,
        "vat: {text}"
    );
    assert_eq!(
        found.registers.first().map(|r| r.number.as_str()),
        register,
        "register: {text}"
    );
    assert_eq!(
        found.company_numbers.first().map(String::as_str),
        company,
        "company number: {text}"
    );
}

#[test]
fn german_imprint_with_a_general_partner() {
    check(
        "Musterfirma GmbH & Co. KG\nHandelsregister HR A 12345 / Amtsgericht Köln\nUSt-IdNr. gemäß §27a UStG:\nDE136695976\nKomplementärin: Muster Verwaltungs GmbH\nHandelsregister HRB 99999 / Amtsgericht Köln",
        Some("DE136695976"),
        Some("HRA 12345"),
        None,
    );
    let found = identifiers("Registergericht: Amtsgericht Bonn\nRegisternummer: HRB35856");
    assert_eq!(
        found.registers[0].authority.as_deref(),
        Some("Amtsgericht Bonn")
    );
    assert_eq!(found.registers[0].number, "HRB 35856");
    // The general partner's entry is never the company's.
    let found = identifiers("Komplementärin: Muster Verwaltungs GmbH, HRB 99999");
    assert!(found.registers.is_empty(), "{found:?}");
}

#[test]
fn a_number_failing_its_check_is_not_an_identifier() {
    check("USt-IdNr.: DE136695975", None, None, None);
    check("Partita IVA 00743110158", None, None, None);
}

#[test]
fn french_mentions_legales_and_their_host() {
    check(
        "Éditeur : Exemple SAS, immatriculée sous le numéro 732 829 320 au RCS de Nanterre, n° TVA FR44 732 829 320.\nHébergeur : Hôte SA, RCS Roubaix 424 761 419 00045",
        Some("FR44732829320"),
        Some("732 829 320"),
        None,
    );
    let found = identifiers("R.C.S. Nanterre B 732 829 320");
    assert_eq!(
        found.registers[0].authority.as_deref(),
        Some("RCS Nanterre")
    );
    assert_eq!(found.registers[0].number, "B 732 829 320");
    // The host's numbers alone: nothing of the company's.
    check(
        "Hébergement : Hôte SA, RCS Roubaix 424 761 419 00045, TVA FR22424761419",
        None,
        None,
        None,
    );
    // A company that runs and hosts its own site.
    check(
        "Le site est exploité et hébergé par la société Exemple SARL, immatriculée sous le numéro 732 829 320 au RCS de Nanterre",
        None,
        Some("732 829 320"),
        None,
    );
    check(
        "inscrite au répertoire SIREN sous le numéro 732 829 320",
        None,
        None,
        Some("732 829 320"),
    );
}

#[test]
fn italian_footer_numbers() {
    check(
        "© Esempio S.r.l. - p.iva 00743110157",
        Some("IT00743110157"),
        None,
        None,
    );
    check(
        "Codice fiscale, partita IVA e iscrizione al Registro delle Imprese di Milano n. 00743110157 - R.E.A. di Milano n. 123456",
        Some("IT00743110157"),
        Some("00743110157"),
        None,
    );
    check(
        "Sede legale Roma - REA RM-1234567",
        None,
        Some("RM-1234567"),
        None,
    );
}

#[test]
fn nordic_dutch_british_brazilian_and_swiss_numbers() {
    check("Org.nr: 556703-7485", None, None, Some("556703-7485"));
    check(
        "a Swedish company with Organizational Number 556703-7485",
        None,
        None,
        Some("556703-7485"),
    );
    check("CVR: 13585628", None, None, Some("13585628"));
    check(
        "KvK: 12345678 | BTW: NL004495445B01",
        Some("NL004495445B01"),
        Some("12345678"),
        None,
    );
    check(
        "Company Reg. No: 01234567 | VAT Registration No. 980 7806 84",
        Some("GB980780684"),
        None,
        Some("01234567"),
    );
    check(
        "CNPJ: 11.222.333/0001-81",
        None,
        None,
        Some("11.222.333/0001-81"),
    );
    check(
        "UID: CHE-116.281.710 MWST",
        Some("CHE116281710MWST"),
        None,
        None,
    );
    check(
        "Unternehmens-ID CHE-116.281.710",
        None,
        None,
        Some("CHE-116.281.710"),
    );
    check("ABN 51 824 753 556", None, None, Some("51 824 753 556"));
    let found = identifiers("LEI: 5493001KJTIIGC8Y1R12");
    assert_eq!(found.leis, ["5493001KJTIIGC8Y1R12"]);
}

#[test]
fn words_that_are_not_labels_find_nothing() {
    check(
        "Prices include VAT. Call 0800 123 4567. Order 2024-000123. HR Business Partner 2023.",
        None,
        None,
        None,
    );
}

#[test]
fn structured_ids_carry_their_prefix_and_pass_their_check() {
    assert_eq!(
        structured_vat("DE 136 695 976").as_deref(),
        Some("DE136695976")
    );
    assert_eq!(structured_vat("136695976"), None, "no country");
    assert_eq!(structured_vat("DE136695975"), None, "check fails");
    assert_eq!(
        structured_lei("5493001kjtiigc8y1r12").as_deref(),
        Some("5493001KJTIIGC8Y1R12")
    );
    assert_eq!(structured_lei("5493001KJTIIGC8Y1R13"), None);
}

#[test]
fn json_ld_identifiers_reach_the_page_facts() {
    let html = br#"<html><head><script type="application/ld+json">
      {"@type":"Organization","name":"Acme","vatID":"DE136695976","leiCode":"5493001KJTIIGC8Y1R12"}
      </script></head><body>Acme</body></html>"#;
    let facts = crate::extract::page(
        "https://acme.example/",
        html,
        None,
        &crate::extract::Limits::default(),
    );
    assert_eq!(facts.identifiers.vat_id.unwrap().value, "DE136695976");
    assert_eq!(facts.identifiers.lei.unwrap().value, "5493001KJTIIGC8Y1R12");
}
