use super::*;

#[test]
fn finds_emails_including_obfuscated() {
    assert_eq!(
        emails("Write to Info@Acme.com or logo@2x.png"),
        vec!["info@acme.com"]
    );
    assert_eq!(
        emails("contact: sales [at] acme [dot] com"),
        vec!["sales@acme.com"]
    );
    assert_eq!(emails("press(at)acme.de"), vec!["press@acme.de"]);
}

fn phones_of(t: &str) -> Vec<String> {
    phones(t, &t.to_ascii_lowercase())
}

fn founded(t: &str) -> Option<u16> {
    founded_year(&t.to_ascii_lowercase())
}

fn head_count(t: &str) -> Option<Employees> {
    employees(t, &t.to_ascii_lowercase())
}

#[test]
fn finds_phones_only_in_context() {
    assert_eq!(
        phones_of("Phone: (479) 273-4000\nOrder 123 456 789"),
        vec!["(479) 273-4000"]
    );
    assert_eq!(
        phones_of("Call us +44 20 7946 0958 today"),
        vec!["+44 20 7946 0958"]
    );
    assert_eq!(phones_of("Tel. 089 / 123 456-0"), vec!["089 / 123 456-0"]);
    assert!(phones_of("Copyright 2010-2024 all rights").is_empty());
    assert_eq!(phone_digits("+1 (479) 273-4000"), "+14792734000");
}

#[test]
fn founded_employees_copyright() {
    assert_eq!(founded("Founded in 1962 by Sam Walton"), Some(1962));
    assert_eq!(founded("Serving customers since 1887."), Some(1887));
    assert_eq!(founded("gegründet 1999"), Some(1999));
    assert_eq!(founded("In 2050 we will"), None);
    // A window that would start past the keyword (found by fuzzing).
    let glued = format!("1 {}staff{} end", "x".repeat(60), "y".repeat(30));
    assert_eq!(head_count(&glued), None);

    assert_eq!(
        head_count("with 2,200,000 associates"),
        Some(Employees {
            min: 2_200_000,
            max: Some(2_200_000)
        })
    );
    assert_eq!(
        head_count("500+ employees"),
        Some(Employees {
            min: 500,
            max: None
        })
    );
    assert_eq!(
        copyright_holder("News\n© 2023 Los Angeles Rams. All rights reserved\n").as_deref(),
        Some("Los Angeles Rams")
    );
    assert_eq!(
        copyright_holder("Copyright © 2010-2024 Acme Corp | Privacy").as_deref(),
        Some("Acme Corp")
    );
    assert_eq!(copyright_holder("no notice here"), None);
}

#[test]
fn theme_placeholders_are_not_contacts() {
    for stand_in in [
        "info@yourdomain.com",
        "hello@yourcompany.co.uk",
        "info@company.com",
        "name@example.de",
        "mail@domain.tld",
    ] {
        assert!(!plausible_email(stand_in), "{stand_in}");
    }
    assert!(plausible_email("info@acme-rockets.de"));
    assert!(plausible_email("contact@mycompanyname.fr"));
    for stand_in in [
        "+44 1234 567890",
        "000 000 0000",
        "+1 (555) 555-5555",
        "0123 456789",
    ] {
        assert_eq!(clean_phone(stand_in), None, "{stand_in}");
    }
    assert_eq!(
        clean_phone("+49 40 1813108-0").as_deref(),
        Some("+49 40 1813108-0")
    );
    assert_eq!(phones_of("Tel: +44 1234 567890"), Vec::<String>::new());
}
