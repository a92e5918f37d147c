use super::*;

#[test]
fn an_address_inside_an_imprint_sentence() {
    let line = "Acme, a simplified joint stock company with capital of EUR 1,000, listed on the Paris Trade and Companies Register under number 123 456 789, with registered offices at 3 RUE DU PONT, 75002 PARIS, FRANCE.";
    let a = address(line).expect("an address");
    assert_eq!(a.street.as_deref(), Some("3 RUE DU PONT"));
    assert_eq!(a.postal_code.as_deref(), Some("75002"));
    assert_eq!(a.locality.as_deref(), Some("PARIS"));
    assert_eq!(a.country.as_deref(), Some("FR"));
    let de = "Die Beispiel GmbH mit Sitz in der Musterstraße 12, 10115 Berlin ist im Handelsregister des Amtsgerichts eingetragen und wird vertreten durch die Geschäftsführung, die Sie unter den unten genannten Kontaktdaten erreichen.";
    let a = address(de).expect("an address");
    assert_eq!(a.street.as_deref(), Some("Musterstraße 12"));
    assert_eq!(a.locality.as_deref(), Some("Berlin"));
}

#[test]
fn the_hosts_address_is_not_the_owners() {
    let text = "Hosting\nThe site is hosted by Cloudy Inc, 1 Main St, Springfield, IL 62701, US.\n";
    assert_eq!(address(text), None);
    assert_eq!(
        address("Hébergeur\nNuage SAS\n2 rue Haute\n59100 Roubaix"),
        None
    );
}

#[test]
fn structured_parts_lose_stray_separators() {
    let a = tidy(Address {
        street: Some("Via Roma 1,".into()),
        postal_code: Some("80100 -".into()),
        locality: Some(" - ".into()),
        ..Address::default()
    });
    assert_eq!(a.street.as_deref(), Some("Via Roma 1"));
    assert_eq!(a.postal_code.as_deref(), Some("80100"));
    assert_eq!(a.locality, None);
}

fn check(text: &str, expected: Option<(&str, &str, &str, Option<&str>)>) {
    let got = address(text).map(|a| {
        (
            a.street.unwrap_or_default(),
            a.postal_code.unwrap_or_default(),
            a.locality.unwrap_or_default(),
            a.country,
        )
    });
    let want = expected.map(|(s, p, l, c)| {
        (
            s.to_owned(),
            p.to_owned(),
            l.to_owned(),
            c.map(str::to_owned),
        )
    });
    assert_eq!(got, want, "{text:?}");
}

#[test]
fn lines_that_may_hold_a_postal_code() {
    for (line, expected) in [
        ("51467 Bergisch Gladbach", true),
        ("Storgatan 1, 111 22 Stockholm", true),
        ("London SW1A 1AA", true),
        ("Mo-Fr 9-18 Uhr", false),
        ("Preis 99,90 €", false),
    ] {
        assert_eq!(may_hold_postal_code(line.as_bytes()), expected, "{line}");
    }
}

#[test]
fn addresses_as_pages_write_them() {
    check(
        "Kontakt\nAcme Training\nHauptstr. 12\n50667 Köln\nFon 0221 123",
        Some(("Hauptstr. 12", "50667", "Köln", None)),
    );
    check(
        "Acme AG\n Berliner Str. 36\n 65760 Eschborn/Ts.\n Germany",
        Some(("Berliner Str. 36", "65760", "Eschborn", Some("DE"))),
    );
    check(
        "Gasthof Beispiel\nDorf 2, I-39020 Kastelbell-Tschars",
        Some(("Dorf 2", "39020", "Kastelbell-Tschars", Some("IT"))),
    );
    check(
        "© 2016 acme GmbH + Co. KG W.-C.-Röntgen-Str. 2, 04509 Delitzsch",
        Some(("W.-C.-Röntgen-Str. 2", "04509", "Delitzsch", None)),
    );
    check(
        "Industriveien 7, 0950 Oslo",
        Some(("Industriveien 7", "0950", "Oslo", None)),
    );
    check(
        "Shop no.9, Some CHS, SV Road, Andheri (W), Mumbai 400102.",
        Some((
            "Shop no.9, Some CHS, SV Road, Andheri (W)",
            "400102",
            "Mumbai",
            Some("IN"),
        )),
    );
    check(
        "702 SW 8th Street, Bentonville, AR 72716",
        Some(("702 SW 8th Street", "72716", "Bentonville", Some("US"))),
    );
    check(
        "HQ: 702 SW 8th St, Bentonville, AR 72716\n",
        Some(("702 SW 8th St", "72716", "Bentonville", Some("US"))),
    );
    check("May 16, 2024 Cisco Systems reports", None);
    check(
        "Rue de Rivoli 5, 75001 Paris",
        Some(("Rue de Rivoli 5", "75001", "Paris", None)),
    );
    check(
        "Hauptstraße 5, 10115 Berlin",
        Some(("Hauptstraße 5", "10115", "Berlin", None)),
    );
    check(
        "Besuchen Sie uns: Am Alten Markt 3, D-48143 Münster",
        Some(("Am Alten Markt 3", "48143", "Münster", Some("DE"))),
    );
    check(
        "Hahnenstraße 47, 71634 Ludwigsburg, Baden-Württemberg, Germany",
        Some(("Hahnenstraße 47", "71634", "Ludwigsburg", Some("DE"))),
    );
    check("Mikrokredit\n1000 Euro Kredit\n5000 Euro Kredit", None);
    check("Öffnungszeiten\nMo-Fr 9-18 Uhr", None);
}

#[test]
fn a_street_loses_the_words_that_introduce_it_and_a_country_in_another_language_is_read() {
    check(
        "Exemple AB, société de droit suédois, située Torsgatan 21, 113 21 Stockholm, Suède",
        Some(("Torsgatan 21", "113 21", "Stockholm", Some("SE"))),
    );
    check(
        "Beispiel SpA, con sede in Via Roma 12, 20121 Milano, Italien",
        Some(("Via Roma 12", "20121", "Milano", Some("IT"))),
    );
    // A street that begins with a capitalised preposition keeps it.
    check(
        "An der Alster 5, 20099 Hamburg",
        Some(("An der Alster 5", "20099", "Hamburg", None)),
    );
}

#[test]
fn text_lines_are_the_trimmed_non_empty_lines() {
    let text = "Acme\r\n  | Home | \n\n\u{a0}·\u{a0}\nMain St 1\u{a0}\n·Berlin·\nlast";
    let want: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '|' || c == '·'))
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(text_lines(text).collect::<Vec<_>>(), want);
    assert_eq!(want, ["Acme", "Home", "Main St 1", "Berlin", "last"]);
    assert_eq!(text_lines("").count(), 0);
    assert_eq!(text_lines("\n \n|").count(), 0);
}

#[test]
fn the_lines_around_an_address_line_are_its_non_empty_neighbours() {
    let text = "one\n\n two |\nthree\n  \nMain St 1\n\n·next·\n";
    let at = text.find("Main").unwrap();
    assert_eq!(
        lines_before(text, at).collect::<Vec<_>>(),
        ["three", "two", "one"]
    );
    assert_eq!(text_lines(&text[at + 9..]).next(), Some("next"));
    assert_eq!(lines_before(text, 0).count(), 0);
    assert_eq!(next_digit(b"abcdefghijklmnopqrstuvwxyz 7", 0), Some(27));
    assert_eq!(next_digit(b"no digits here at all, none", 3), None);
    assert_eq!(next_digit(b"12", 2), None);
}
