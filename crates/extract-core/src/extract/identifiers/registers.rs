//! Register entries: HRB/HRA, FN, RCS, KvK, Registro delle Imprese, REA,
//! each with the court or register that keeps it when the text names one.

use std::sync::LazyLock;

use regex::Regex;

use super::*;

/// Register entries: German and Austrian courts, the French RCS, the Dutch
/// KvK, the Italian Registro delle Imprese (or its REA number).
pub(super) fn registers(flat: &str, found: &mut Found) {
    static HR: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\bH\.?\s?R\.?\s?(?P<t>[AB])\.?\s?(?:-?\s?Nr\.?\s?:?\s?)?(?P<n>\d{1,6}(?:\s?[A-Z]{1,2}\b)?)",
        )
    });
    static FN: LazyLock<Regex> = LazyLock::new(|| re(r"\bFN\s?(?P<n>\d{1,6}\s?[a-z])\b"));
    static COURT: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?:Amtsgericht|Registergericht:?\s?(?:Amtsgericht)?|Handelsgericht|Landesgericht)\s+(?P<a>(?:Bad\s)?\p{Lu}[\p{Ll}ß]+(?:-\p{Lu}[\p{Ll}ß]+|\s(?:am|an\sder|im|in|ob\sder)\s\p{Lu}[\p{Ll}ß]+)?)|(?P<b>\p{Lu}[\p{Ll}]+)\s+(?:District|Local|Registry)\s+Court",
        )
    });
    for caps in HR.captures_iter(flat) {
        let start = caps.get(0).map_or(0, |m| m.start());
        if third_party(flat, start) {
            continue;
        }
        let number = format!("HR{} {}", &caps["t"], collapse(&caps["n"]));
        let around = window_around(flat, start, 120);
        let authority = COURT.captures(around).map(|c| {
            c.name("a").map_or_else(
                || format!("{} District Court", &c["b"]),
                |a| format!("Amtsgericht {}", a.as_str()),
            )
        });
        push_register(found, authority, number);
    }
    for caps in FN.captures_iter(flat) {
        let start = caps.get(0).map_or(0, |m| m.start());
        if third_party(flat, start) {
            continue;
        }
        push_register(
            found,
            Some("Firmenbuch".to_owned()),
            format!("FN {}", collapse(&caps["n"])),
        );
    }
    rcs(flat, found);
    static KVK: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\bk\.?\s?v\.?\s?k\.?(?:\s?-?\s?(?:nummer|nr|number|no)\.?)?\s?:?\s?(?P<n>\d{8})\b")
    });
    for caps in KVK.captures_iter(flat) {
        let start = caps.get(0).map_or(0, |m| m.start());
        if !third_party(flat, start) {
            push_register(found, Some("KvK".to_owned()), caps["n"].to_owned());
        }
    }
    static IMPRESE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)registro\s+(?:delle\s+)?imprese(?:\s+di\s+(?P<c>\p{Lu}[\p{L}]+))?[^0-9]{0,30}?(?P<n>\d{11})\b",
        )
    });
    static REA: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\bR\.?\s?E\.?\s?A\.?(?:\s+di\s+(?P<c>\p{Lu}[\p{L}]+))?\s?(?:n\.?|nr\.?|numero|:)?\s?(?:(?P<p>[A-Z]{2})\s?-?\s?)?(?P<n>\d{4,7})\b",
        )
    });
    let mut italian = false;
    for caps in IMPRESE.captures_iter(flat) {
        let start = caps.get(0).map_or(0, |m| m.start());
        if third_party(flat, start) || !check::luhn(&caps["n"]) {
            continue;
        }
        let authority = caps.name("c").map_or_else(
            || "Registro delle Imprese".to_owned(),
            |c| format!("Registro delle Imprese di {}", c.as_str()),
        );
        push_register(found, Some(authority), caps["n"].to_owned());
        italian = true;
    }
    if !italian {
        for caps in REA.captures_iter(flat) {
            let start = caps.get(0).map_or(0, |m| m.start());
            if third_party(flat, start) {
                continue;
            }
            let number = match caps.name("p") {
                Some(p) => format!("{}-{}", p.as_str(), &caps["n"]),
                None => caps["n"].to_owned(),
            };
            push_register(found, Some("REA".to_owned()), number);
        }
    }
}

/// The French RCS: its number (a SIREN, or a SIRET) after or before the
/// words that name the register, Luhn-checked.
fn rcs(flat: &str, found: &mut Found) {
    static ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\bR\.?\s?C\.?\s?S\.?(?:\s+(?:de|du|of|d'))?(?:\s+(?P<c>\p{Lu}[\p{L}\-]+(?:\s+M[ée]tropole)?))?|registre\s+du\s+commerce(?:\s+et\s+des\s+soci[ée]t[ée]s)?(?:\s+(?:de|du|d'))?(?:\s+(?P<c2>\p{Lu}[\p{L}\-]+))?|(?P<c3>\p{Lu}[\p{L}\-]+\s+)?trade\s+and\s+companies\s+register",
        )
    });
    static NUMBER: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?:\b(?P<b>[AB])\s)?\b(?P<n>\d[\d ]{7,20}\d)\b"));
    for caps in ANCHOR.captures_iter(flat) {
        let m = caps.get(0).expect("whole match");
        if third_party(flat, m.start()) {
            continue;
        }
        let city = caps
            .name("c")
            .or_else(|| caps.name("c2"))
            .or_else(|| caps.name("c3"))
            .map(|c| c.as_str().trim().to_owned())
            .filter(|c| {
                !matches!(
                    c.to_lowercase().as_str(),
                    "sous" | "under" | "numéro" | "number" | "no" | "n"
                )
            });
        let authority = Some(city.map_or_else(|| "RCS".to_owned(), |c| format!("RCS {c}")));
        // After the words, else before them ("sous le numéro … au RCS de Paris").
        let after = window(flat, m.end(), 80);
        let before_start = back(flat, m.start(), 80);
        let before = &flat[before_start..m.start()];
        let pick = |text: &str, last: bool| {
            let mut all = NUMBER.captures_iter(text).filter_map(|c| {
                let n = collapse(&c["n"]);
                let digits: String = n.chars().filter(char::is_ascii_digit).collect();
                (matches!(digits.len(), 9 | 14) && check::luhn(&digits)).then(|| {
                    match c.name("b") {
                        Some(b) => format!("{} {n}", b.as_str()),
                        None => n,
                    }
                })
            });
            if last {
                all.last()
            } else {
                all.next()
            }
        };
        if let Some(n) = pick(after, false).or_else(|| pick(before, true)) {
            push_register(found, authority, n);
        }
    }
}

fn push_register(found: &mut Found, authority: Option<String>, number: String) {
    let key = |n: &str| {
        n.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    };
    if found
        .registers
        .iter()
        .all(|r| key(&r.number) != key(&number))
    {
        found.registers.push(Register { authority, number });
    }
}
