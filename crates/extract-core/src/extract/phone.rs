//! Phone numbers to E.164, with the country inferred from the address or the
//! domain when the number does not carry it.

/// (ISO country, calling code, trunk prefix dropped before the subscriber number).
const COUNTRIES: &[(&str, &str, bool)] = &[
    ("US", "1", false),
    ("CA", "1", false),
    ("GB", "44", true),
    ("DE", "49", true),
    ("FR", "33", true),
    ("IT", "39", false),
    ("ES", "34", false),
    ("NL", "31", true),
    ("BE", "32", true),
    ("CH", "41", true),
    ("AT", "43", true),
    ("SE", "46", true),
    ("NO", "47", false),
    ("DK", "45", false),
    ("FI", "358", true),
    ("IE", "353", true),
    ("PL", "48", false),
    ("PT", "351", false),
    ("AU", "61", true),
    ("NZ", "64", true),
    ("JP", "81", true),
    ("IN", "91", true),
    ("SG", "65", false),
    ("BR", "55", true),
    ("MX", "52", false),
];

/// The ISO code of a country as written in an address ("US", "United States", "Deutschland").
pub(crate) fn country_code(written: &str) -> Option<&'static str> {
    // Names in English, the country's own languages, and German, French,
    // Italian, Spanish and Dutch (the languages imprints are written in).
    let w = written.trim().to_lowercase();
    let w = w.trim_end_matches('.');
    let code = match w {
        "us"
        | "usa"
        | "u.s"
        | "u.s.a"
        | "united states"
        | "united states of america"
        | "vereinigte staaten"
        | "états-unis"
        | "etats-unis"
        | "stati uniti"
        | "estados unidos"
        | "verenigde staten" => "US",
        "ca" | "canada" | "kanada" => "CA",
        "gb"
        | "uk"
        | "united kingdom"
        | "great britain"
        | "england"
        | "scotland"
        | "wales"
        | "vereinigtes königreich"
        | "großbritannien"
        | "royaume-uni"
        | "regno unito"
        | "reino unido"
        | "verenigd koninkrijk" => "GB",
        "de" | "germany" | "deutschland" | "allemagne" | "germania" | "alemania" | "duitsland" => {
            "DE"
        }
        "fr" | "france" | "frankreich" | "francia" | "frankrijk" => "FR",
        "it" | "italy" | "italia" | "italien" | "italie" | "italië" => "IT",
        "es" | "spain" | "españa" | "espana" | "spanien" | "espagne" | "spagna" | "spanje" => "ES",
        "nl" | "netherlands" | "the netherlands" | "nederland" | "niederlande" | "pays-bas"
        | "paesi bassi" | "países bajos" | "paises bajos" => "NL",
        "be" | "belgium" | "belgië" | "belgique" | "belgien" | "belgio" | "bélgica" => "BE",
        "ch" | "switzerland" | "schweiz" | "suisse" | "svizzera" | "suiza" | "zwitserland" => "CH",
        "at" | "austria" | "österreich" | "oesterreich" | "autriche" | "oostenrijk" => "AT",
        "lu" | "luxembourg" | "luxemburg" | "lussemburgo" | "luxemburgo" => "LU",
        "se" | "sweden" | "sverige" | "schweden" | "suède" | "suede" | "svezia" | "suecia"
        | "zweden" => "SE",
        "no" | "norway" | "norge" | "norwegen" | "norvège" | "norvegia" | "noruega"
        | "noorwegen" => "NO",
        "dk" | "denmark" | "danmark" | "dänemark" | "danemark" | "danimarca" | "dinamarca"
        | "denemarken" => "DK",
        "fi" | "finland" | "suomi" | "finnland" | "finlande" | "finlandia" => "FI",
        "ie" | "ireland" | "irland" | "irlande" | "irlanda" | "ierland" => "IE",
        "pl" | "poland" | "polska" | "polen" | "pologne" | "polonia" => "PL",
        "pt" | "portugal" | "portogallo" => "PT",
        "au" | "australia" | "australien" | "australie" => "AU",
        "nz" | "new zealand" => "NZ",
        "jp" | "japan" | "japon" | "giappone" | "japón" => "JP",
        "in" | "india" | "indien" | "inde" => "IN",
        "sg" | "singapore" | "singapur" | "singapour" => "SG",
        "br" | "brazil" | "brasil" | "brasilien" | "brésil" | "brasile" => "BR",
        "mx" | "mexico" | "méxico" | "mexiko" | "mexique" | "messico" => "MX",
        _ => return None,
    };
    Some(code)
}

/// The country a domain's top-level domain names (`.de` -> DE); none for generic TLDs.
pub(crate) fn country_of_domain(domain: &str) -> Option<&'static str> {
    let tld = domain.rsplit('.').next()?.to_ascii_lowercase();
    let code = match tld.as_str() {
        "uk" => "GB",
        "us" => "US",
        other => {
            return COUNTRIES
                .iter()
                .find(|(c, _, _)| c.eq_ignore_ascii_case(other))
                .map(|(c, _, _)| *c)
        }
    };
    Some(code)
}

/// The number in E.164 (`+14792734000`) when its country is known or written,
/// else `None`.
pub(crate) fn to_e164(raw: &str, country: Option<&str>) -> Option<String> {
    let trimmed = raw.trim();
    // "+49 (0)2202 …": the national trunk prefix written beside the country code.
    let without_trunk = trimmed.replacen("(0)", "", 1);
    let trimmed = if trimmed.starts_with('+') {
        without_trunk.as_str()
    } else {
        trimmed
    };
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed.starts_with('+') {
        // "+49 0711 …": a trunk 0 after the calling code of a country that drops it.
        let digits = COUNTRIES
            .iter()
            .filter(|(_, _, trunk)| *trunk)
            .find_map(|(_, code, _)| {
                digits
                    .strip_prefix(code)
                    .and_then(|rest| rest.strip_prefix('0'))
                    .map(|rest| format!("{code}{rest}"))
            })
            .unwrap_or(digits);
        return (8..=15)
            .contains(&digits.len())
            .then(|| format!("+{digits}"));
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return (8..=15).contains(&rest.len()).then(|| format!("+{rest}"));
    }
    let (_, code, trunk) = COUNTRIES.iter().find(|(c, _, _)| Some(*c) == country)?;
    let national = if *code == "1" {
        match digits.len() {
            10 => digits.as_str(),
            11 if digits.starts_with('1') => &digits[1..],
            _ => return None,
        }
    } else if *trunk {
        digits.strip_prefix('0').unwrap_or(&digits)
    } else {
        digits.as_str()
    };
    let e164 = format!("+{code}{national}");
    (9..=16).contains(&e164.len()).then_some(e164)
}

/// `(877) 488-4224`, `877-488-4224`, `877.488.4224`: the North American plan's shape.
pub(crate) fn nanp_shaped(raw: &str) -> bool {
    let groups: Vec<&str> = raw
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    (lens == [3, 3, 4] && raw.contains(['-', '.', ')'])) && !groups[0].starts_with(['0', '1'])
}

/// The country whose calling code starts an E.164 number.
pub(crate) fn country_of_e164(e164: &str) -> Option<&'static str> {
    let digits = e164.strip_prefix('+')?;
    // Longest codes first; "1" is shared by the US and Canada: the US.
    let mut best: Option<(&str, usize)> = None;
    for (iso, code, _) in COUNTRIES {
        if digits.starts_with(code) && best.is_none_or(|(_, l)| code.len() > l) {
            best = Some((iso, code.len()));
        }
    }
    best.map(|(iso, _)| iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_prefix_and_north_american_shape() {
        assert_eq!(
            to_e164("+49 (0)2202 -2809436", None).as_deref(),
            Some("+4922022809436")
        );
        assert!(nanp_shaped("877-488-4224") && !nanp_shaped("0877 488 4224"));
        assert_eq!(
            to_e164("+49 07141 2987780", None).as_deref(),
            Some("+4971412987780")
        );
        assert_eq!(
            to_e164("+39 0473 668056", None).as_deref(),
            Some("+390473668056")
        );
        assert_eq!(country_of_e164("+4775663080"), Some("NO"));
        assert_eq!(country_of_e164("+35312345678"), Some("IE"));
    }

    #[test]
    fn numbers_and_countries() {
        assert_eq!(
            to_e164("(479) 273-4000", Some("US")).as_deref(),
            Some("+14792734000")
        );
        assert_eq!(
            to_e164("1-479-273-4000", Some("US")).as_deref(),
            Some("+14792734000")
        );
        assert_eq!(
            to_e164("+44 20 7946 0958", None).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            to_e164("0049 89 123456", None).as_deref(),
            Some("+4989123456")
        );
        assert_eq!(
            to_e164("089 / 123 456-0", Some("DE")).as_deref(),
            Some("+49891234560")
        );
        assert_eq!(
            to_e164("06 12 34 56 78", Some("FR")).as_deref(),
            Some("+33612345678")
        );
        assert_eq!(to_e164("(479) 273-4000", None), None);
        assert_eq!(country_code("United States"), Some("US"));
        assert_eq!(country_code("Deutschland"), Some("DE"));
        assert_eq!(country_code("Suède"), Some("SE"));
        assert_eq!(country_code("ÉTATS-UNIS"), Some("US"));
        assert_eq!(country_code("Paesi Bassi"), Some("NL"));
        assert_eq!(country_of_domain("acme.co.uk"), Some("GB"));
        assert_eq!(country_of_domain("acme.de"), Some("DE"));
        assert_eq!(country_of_domain("acme.com"), None);
    }
}
