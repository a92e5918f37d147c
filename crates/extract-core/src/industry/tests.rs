use super::*;

fn words(texts: &[(&'static str, &'static str, f32)]) -> Words<'static> {
    Words {
        texts: texts.to_vec(),
        ..Words::default()
    }
}

/// The LinkedIn id and NAICS code answered, if any.
fn answer(texts: &[(&'static str, &'static str, f32)]) -> Option<(u32, String)> {
    let (i, _) = classify(&words(texts))?;
    Some((i.linkedin?.id, i.naics?.code))
}

fn desc(text: &'static str) -> Option<(u32, String)> {
    answer(&[("description", text, 3.0)])
}

#[test]
fn the_file_parses_and_every_answer_exists_in_the_shipped_taxonomies() {
    let c = Classifier::new(include_str!("../../data/industries.toml")).unwrap();
    assert!(c.classes.len() > 100, "{}", c.classes.len());
    // The phrase search is a DFA: bounded in memory as the file grows.
    let bytes = c.automaton.memory_usage();
    eprintln!("phrase automaton: {bytes} bytes");
    assert!(bytes < 24 << 20, "{bytes} bytes");
    for (id, code) in answers() {
        assert!(taxonomy::linkedin(id).is_some(), "LinkedIn id {id}");
        assert!(taxonomy::naics_title(code).is_some(), "NAICS code {code}");
        assert!(taxonomy::naics_sector(code).is_some(), "sector of {code}");
    }
    // The schema.org types map into the same data.
    for t in ["Dentist", "Winery", "Hotel"] {
        let (id, code) = taxonomy::schema_type(t).unwrap();
        assert!(taxonomy::linkedin(id).is_some() && taxonomy::naics_title(code).is_some());
    }
    // A term that would never match (upper case, stray spaces) is refused.
    let bad = "[roles]\nsell_online=[]\nsell_store=[]\nmake=[]\nwholesale=[]\ngoods=[]\n[[class]]\nlinkedin=4\nnaics=\"513210\"\nterms=[\"Software\"]";
    assert!(Classifier::new(bad).is_err());
}

#[test]
fn one_trade_in_each_of_six_languages() {
    // A dentist, said six ways.
    for text in [
        "Your dental practice in the city centre: implants and prophylaxis.",
        "Ihre Zahnarztpraxis in der Innenstadt: Implantate und Prophylaxe.",
        "Votre cabinet dentaire au centre-ville : implants et prévention.",
        "Il vostro studio dentistico in centro: implantologia e igiene.",
        "Su clínica dental en el centro: implantes y prevención.",
        "Uw tandartspraktijk in het centrum: implantaten en preventie.",
    ] {
        assert_eq!(desc(text), Some((2045, "621210".into())), "{text}");
    }
    // A law firm.
    for text in [
        "Our law firm advises companies on employment law.",
        "Die Kanzlei berät Unternehmen im Arbeitsrecht. Rechtsanwälte seit 1990.",
        "Cabinet d'avocats en droit des affaires.",
        "Studio legale specializzato in diritto societario.",
        "Bufete de abogados especializado en derecho mercantil.",
        "Advocatenkantoor gespecialiseerd in arbeidsrecht.",
    ] {
        assert_eq!(desc(text), Some((9, "541110".into())), "{text}");
    }
}

#[test]
fn small_trades_in_several_languages() {
    for (text, id, code) in [
        (
            "Privatbrauerei seit 1850: Helles, Weizen und Bockbier",
            562,
            "312120",
        ),
        (
            "Brouwerij uit Gent: speciaalbieren met karakter",
            562,
            "312120",
        ),
        (
            "Obstbrennerei am Bodensee: Edelbrände und Geiste",
            564,
            "312140",
        ),
        (
            "Architecte d'intérieur à Lyon : rénovation et aménagement",
            3126,
            "541410",
        ),
        (
            "Interiorismo y diseño de interiores en Madrid",
            3126,
            "541410",
        ),
        ("Praxis für Chiropraktik in Zürich", 2048, "621310"),
        (
            "Tierpark und Wildpark für die ganze Familie",
            2163,
            "712130",
        ),
        ("Hovenier voor tuinaanleg en tuinonderhoud", 2934, "561730"),
        (
            "Nachhilfe in allen Fächern, Einzelunterricht zu Hause",
            1999,
            "611691",
        ),
        (
            "Cours particuliers et soutien scolaire à domicile",
            1999,
            "611691",
        ),
        (
            "Scuola di musica: lezioni di pianoforte e chitarra",
            2025,
            "611610",
        ),
        ("Sviluppo software su misura per le aziende", 3102, "541511"),
        (
            "Kinderarztpraxis Dr. Muster: Vorsorge und Impfungen",
            13,
            "621111",
        ),
        ("Übersetzungsbüro für Fachübersetzungen", 108, "541930"),
        (
            "Kaffeerösterei in Hamburg: Espresso und Filterkaffee",
            23,
            "311920",
        ),
        (
            "Tattoo studio in Amsterdam: custom tattoos and piercing",
            2259,
            "812199",
        ),
        (
            "Vermessungsbüro: Ingenieurvermessung und Landvermessung",
            3249,
            "541370",
        ),
        ("Galleria d'arte contemporanea a Milano", 3186, "459920"),
        ("Yachthafen mit 300 Liegeplätzen am Bodensee", 40, "713930"),
        (
            "Hörakustik Meister: Hörgeräte und Gehörschutz",
            1359,
            "456199",
        ),
        ("Agence de traduction à Paris", 108, "541930"),
    ] {
        assert_eq!(desc(text), Some((id, code.into())), "{text}");
    }
    // A custom software house is not a software publisher, whose words
    // ("software", "software development") are inside its phrases.
    assert_eq!(
        desc("Custom software development for banks and insurers"),
        Some((3102, "541511".into()))
    );
    // Terms of use that speak of their own translations are no translator.
    let legal = "These terms may be read in translation; translations are for convenience only.";
    let (i, _) = classify(&words(&[("text", legal, 0.6)])).unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
}

#[test]
fn compound_words_match_by_their_stem_or_tail() {
    assert_eq!(
        desc("Photovoltaikanlagen und Stromspeicher aus einer Hand"),
        Some((3243, "238210".into()))
    );
    assert_eq!(
        desc("Ihre Hausratversicherung und Haftpflichtversicherung online abschließen"),
        Some((1725, "524126".into()))
    );
    // A term inside a longer word does not count: "bar" in "Barcelona".
    assert_eq!(desc("Offices in Barcelona and Bari"), None);
}

#[test]
fn a_retailer_is_told_from_a_maker_of_the_same_goods() {
    // Wine with a shop's words is wine retail; online, it is online retail.
    assert_eq!(
        desc("Weine online bestellen – kostenloser Versand ab 6 Flaschen, in den Warenkorb"),
        Some((1445, "445320".into()))
    );
    // Wine with a maker's words is a winery.
    assert_eq!(
        desc("Wir produzieren unsere Weine seit vier Generationen: Hersteller von Riesling"),
        Some((2500, "312130".into()))
    );
    // Furniture in a shop with stores is furniture retail.
    assert_eq!(
        answer(&[
            (
                "description",
                "Designmöbel und Leuchten für Ihr Zuhause",
                3.0
            ),
            ("nav", "Filialen | Öffnungszeiten | Kontakt", 1.2),
        ]),
        Some((1309, "449110".into()))
    );
    // A furniture maker.
    assert_eq!(
        desc("Manufacturer of office furniture since 1950: our factory builds every desk."),
        Some((26, "337121".into()))
    );
}

#[test]
fn a_publisher_or_an_association_is_not_the_topic_it_writes_about() {
    // A recipe site's navigation and footer say publisher; the recipe's
    // title (a topic page) says pizza.
    assert_eq!(
        answer(&[
            ("title", "Tortilla pizza with mushrooms", 0.45),
            ("nav", "Recipes | Articles | Videos | Newsletter", 1.2),
            ("text", "© Example Online Media & Publishing Services", 0.6),
        ]),
        Some((3132, "516210".into()))
    );
    // A charity that publishes recipes is a non-profit.
    assert_eq!(
        answer(&[
            ("title", "Banana pancakes | The Example Society", 0.45),
            (
                "nav",
                "Recipes | Donate | Join | Members' Area | Campaigns",
                1.2
            ),
            ("text", "Registered Charity No. 123456", 0.6),
        ]),
        Some((100, "813319".into()))
    );
    // A dairy that publishes recipes is a dairy.
    assert_eq!(
        answer(&[
            (
                "description",
                "Molkerei mit Milchprodukten aus der Region",
                3.0
            ),
            ("nav", "Produkte | Rezepte | Über uns", 1.2),
        ]),
        Some((65, "311511".into()))
    );
    // A holding is not its operating companies' trade.
    assert_eq!(
        answer(&[
            (
                "description",
                "The holding company of a group of logistics and software firms.",
                3.0
            ),
            ("nav", "Our companies | Investors | Contact", 1.2),
        ]),
        Some((1905, "551112".into()))
    );
}

#[test]
fn schema_types_answer_by_themselves() {
    let w = Words {
        schema_types: vec!["Winery"],
        ..Words::default()
    };
    let (i, confidence) = classify(&w).unwrap();
    assert_eq!(i.linkedin.unwrap().id, 2500);
    assert_eq!(i.naics.unwrap().code, "312130");
    assert_eq!(i.sector.as_deref(), Some("31-33"));
    assert!(
        i.evidence.iter().any(|e| e.contains("Winery")),
        "{:?}",
        i.evidence
    );
    assert!(confidence > 0.3 && confidence <= 0.75);
    // What a page offers says a trade, with a description's weight.
    let w = Words {
        offer_types: vec!["MobileApplication"],
        ..Words::default()
    };
    let (i, _) = classify(&w).unwrap();
    assert_eq!(i.linkedin.unwrap().id, 3100);
}

#[test]
fn words_that_do_not_say_answer_nothing_and_say_what_they_leaned_to() {
    // Nothing of any trade.
    assert!(classify(&words(&[("description", "Welcome to our website.", 3.0)])).is_none());
    // One weak word: leaning, no answer.
    let (i, confidence) = classify(&words(&[("nav", "Home | Seminar | Kontakt", 1.2)])).unwrap();
    assert!(i.linkedin.is_none() && i.naics.is_none(), "{i:?}");
    assert_eq!(confidence, 0.0);
    assert_eq!(i.alternatives[0].linkedin.id, 105);
    // One word matched by two terms of one industry ("hotel", "*hotel") is
    // one mention, as much as "restaurant": no answer (counted twice, it
    // would be far ahead).
    let (i, _) = classify(&words(&[("nav", "News | Hotel | Restaurant", 1.2)])).unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
    // One word in a page's navigation, read again in the head of its text,
    // is one mention: not enough to lead a title's other trade (counted
    // twice, it would).
    let (i, _) = classify(&words(&[
        ("title", "Hotel", 1.0),
        ("nav", "Home | University | Contact", 1.2),
        ("text", "Home University Contact Lorem ipsum", 0.6),
    ]))
    .unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
    // Two trades said equally: no answer, both in the alternatives.
    let (i, _) = classify(&words(&[(
        "description",
        "Zahnarztpraxis und Anwaltskanzlei unter einem Dach",
        3.0,
    )]))
    .unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
    let ids: Vec<u32> = i.alternatives.iter().map(|a| a.linkedin.id).collect();
    assert!(ids.contains(&2045) && ids.contains(&9), "{ids:?}");
}

#[test]
fn less_is_enough_when_nothing_else_is_said() {
    // One strong word in the navigation, nothing of any other trade.
    let (i, confidence) = classify(&words(&[("nav", "Home | Rezepte | Über uns", 1.2)])).unwrap();
    assert_eq!(i.linkedin.map(|l| l.id), Some(3132));
    assert!(confidence > 0.0);
    // The same beside a weaker word of another trade: not three times
    // ahead, and too little for the usual lead.
    let (i, _) = classify(&words(&[("nav", "Home | Rezepte | Hotel", 1.2)])).unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
}

#[test]
fn the_sandbox_industry_names_are_read_too() {
    // Fortune-style industry names, as generated descriptions say them.
    for (text, id) in [
        (
            "Acme is a computer software company headquartered in Austin, TX.",
            4,
        ),
        (
            "Acme is a leader in industrial machinery, with operations across the United States.",
            55,
        ),
        (
            "Founded in Denver, Acme builds telecommunications products and services.",
            8,
        ),
        (
            "Acme is a trucking, truck leasing company headquartered in Boise, ID.",
            92,
        ),
    ] {
        assert_eq!(desc(text).map(|a| a.0), Some(id), "{text}");
    }
}

#[test]
fn text_is_lowercased_its_white_space_collapsed_and_its_signs_words_of_their_own() {
    assert_eq!(
        normalise("  Zahnarzt\u{a0}PRAXIS\t\nMüller’s  "),
        " zahnarzt praxis müller ' s "
    );
    assert_eq!(normalise("ÉCOLE  de\u{2009}Langues"), " école de langues ");
    assert_eq!(normalise(""), " ");
    assert_eq!(normalise("Law Firm | Über Uns"), " law firm | über uns ");
    assert_eq!(normalise("Zahnarzt\u{a0}Praxis"), " zahnarzt praxis ");
    assert_eq!(normalise("a\rb"), " a b ");
    // Beyond ASCII: lowercase letters kept as they are, signs apart, an
    // uppercase letter or an apostrophe anywhere after them still changed.
    assert_eq!(
        normalise("© 2024 Café – Bäckerei"),
        " © 2024 café – bäckerei "
    );
    assert_eq!(normalise("© Café BÄCKEREI"), " © café bäckerei ");
    assert_eq!(normalise("é Müller’s"), " é müller ' s ");
    assert_eq!(normalise("é Müller`s"), " é müller ' s ");
    assert_eq!(
        normalise("(E-Commerce),Shop."),
        " ( e - commerce ) , shop . "
    );
}

#[test]
fn a_phrase_is_found_at_a_word_and_not_inside_one() {
    // After a sign or a line break, a phrase starts a word.
    assert_eq!(
        desc("(Zahnarztpraxis) Dr. Muster"),
        Some((2045, "621210".into()))
    );
    assert_eq!(
        desc("Praxis:\nZahnarzt Dr. Muster"),
        Some((2045, "621210".into()))
    );
    // Inside a longer word, a whole-word phrase is not read.
    let c = &*CLASSIFIER;
    let whole = |t: &str| {
        c.hits(&normalise(t))
            .iter()
            .any(|&i| c.terms[i].text == "dentist")
    };
    assert!(whole("Dentist, Dr. Muster") && whole("«dentist»"));
    assert!(!whole("dentistry") && !whole("nondentist"));
    // A phrase with a sign in it reads the sign as the text writes it.
    let said = |t: &str, term: &str| {
        c.hits(&normalise(t))
            .iter()
            .any(|&i| c.terms[i].text == term)
    };
    assert!(said("Pet Supplies & E-Commerce", "e-commerce"));
}

#[test]
fn words_for_one_industry_at_two_depths_add_up() {
    // Recipes (Internet Publishing) and videos (its child, Online Audio and
    // Video Media): one publisher said twice, well ahead of the wine.
    let (i, _) = classify(&words(&[("nav", "Home | Rezepte | Videos | Wein", 1.2)])).unwrap();
    assert_eq!(i.linkedin.as_ref().map(|l| l.id), Some(3132), "{i:?}");
    assert_eq!(i.naics.as_ref().map(|n| n.code.as_str()), Some("516210"));
    assert!(
        i.evidence.iter().any(|e| e.ends_with("videos")),
        "{:?}",
        i.evidence
    );
    // Without the child's word, the same is not enough.
    let (i, _) = classify(&words(&[("nav", "Home | Rezepte | Wein", 1.2)])).unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
    // Siblings are not one industry: bakery and dairy words stay apart.
    let (i, _) = classify(&words(&[("nav", "Home | Bäckerei | Molkerei", 1.2)])).unwrap();
    assert!(i.linkedin.is_none(), "{i:?}");
    // A parent said mostly by its children takes the NAICS group they share.
    assert_eq!(shared_group("311920", "311811"), Some("311"));
    assert_eq!(shared_group("445110", "445131"), Some("4451"));
    assert_eq!(shared_group("311811", "445110"), None);
}

#[test]
fn one_word_is_one_mention() {
    // "Android app" is the mobile app's phrase; its last word is not also
    // read as Software Development's "app".
    let (i, _) = classify(&words(&[("nav", "Home | Android app", 1.2)])).unwrap();
    let ids: Vec<u32> = i.alternatives.iter().map(|a| a.linkedin.id).collect();
    assert_eq!(ids, [3100], "{i:?}");
    // Alone, the word is Software Development's.
    let (i, _) = classify(&words(&[("nav", "Home | App", 1.2)])).unwrap();
    assert_eq!(i.alternatives[0].linkedin.id, 4, "{i:?}");
    // Nor is a phrase's first word another trade's: "interior" (furniture)
    // in "interior design".
    let (i, _) = classify(&words(&[("nav", "Home | Interior design", 1.2)])).unwrap();
    assert_eq!(i.linkedin.as_ref().map(|l| l.id), Some(3126), "{i:?}");
    assert!(i.alternatives.is_empty(), "{i:?}");
}
