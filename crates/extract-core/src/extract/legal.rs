//! Legal names in a page's text that belong to the site's owner: the name
//! as written with its legal form, without the notice before it ("©
//! 2024"), the words that hand a sentence to someone ("exploité par",
//! "provided by") or a comma setting a continental form in apposition
//! ("Kelindi, SAS"); kept when a word of it spells the site's domain label,
//! when the site's operator or publisher is named as such, or when it holds
//! the site's copyright.

use std::sync::LazyLock;

use regex::Regex;

use super::text;
use crate::normalize::compact_name;

/// Verbs (their stems) that name a site's operator or publisher when a
/// handing word follows them ("exploité par", "ägs av", "udgives af").
const OPERATOR_VERBS: [&str; 19] = [
    "exploit",
    "édit",
    "edit",
    "operated",
    "published",
    "owned",
    "run",
    "betrieben",
    "herausgegeben",
    "gestió",
    "gestit",
    "beheerd",
    "uitgegeven",
    "ägs",
    "drivs",
    "udgives",
    "drives",
    "ejes",
    "eies",
];

/// Lowercase words that may stand inside a name ("Ind. e Com.", "Bank of X").
const NAME_JOINERS: [&str; 11] = [
    "&", "e", "et", "y", "und", "and", "of", "de", "di", "del", "van",
];

fn is_handing(w: &str) -> bool {
    matches!(
        w,
        "by" | "par" | "durch" | "von" | "door" | "da" | "por" | "from" | "av" | "af"
    )
}

/// A tax or register number's label just after a name.
static REGISTER_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^.{0,110}?(?:p\.\s?iva|partita iva|codice fiscale|vat(?-u:\b)|tva(?-u:\b)|ust-?id|ust\.-id|handelsregister|(?-u:\b)hrb(?-u:\b)|kvk|(?-u:\b)cvr(?-u:\b)|org\.?\s?nr|(?-u:\b)abn(?-u:\b)|(?-u:\b)cif(?-u:\b)|(?-u:\b)nif(?-u:\b)|(?-u:\b)rcs(?-u:\b)|siren|company number|registered (?:in|under|at))")
        .expect("register pattern")
});

/// Words before a name that hand it to a third party.
static THIRD_PARTY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:h[ée]berg|host|provider|prestataire|assur|insur|versicher|paiement|payment|zahlung|r[ée]alis|conception|design|agen|d[ée]velopp|partner|partenaire|photo|cr[ée]dit)[^.:;]{0,40}:?\s*$")
        .expect("third party pattern")
});

/// An imprint's label for the owner right before the name.
static OWNER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:si[èe]ge social|raison sociale|d[ée]nomination(?: sociale)?|[ée]diteur(?: du site)?|publisher|editor|herausgeber|anbieter|diensteanbieter|betreiber|company name|ragione sociale|raz[óo]n social|titular)\s*:?\s*$")
        .expect("owner label pattern")
});

/// The owner's legal names in `body`, for a site whose domain label is `label`.
pub(super) fn own_legal_names(body: &str, label: &str) -> Vec<String> {
    let mut out = Vec::new();
    for mention in text::legal_names(body) {
        let legal = mention.name;
        let before = mention.before.to_lowercase();
        // Words before the name that are not part of it: a notice
        // ("Copyright © 2022", "-2020") and lowercase words ("by", "c/o").
        let words: Vec<&str> = legal.split(' ').collect();
        let after_notice = words
            .iter()
            .rposition(|w| {
                let lw = w.to_lowercase();
                lw == "©"
                    || lw == "(c)"
                    || lw == "copyright"
                    || (!w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '–' | ',')))
            })
            .map_or(0, |i| i + 1)
            .min(words.len().saturating_sub(1));
        // After the last lowercase word that does not join a name ("das
        // Angebot der HOFER KG" → "HOFER KG"; "Ind. e Com. Ltda." stays).
        let after_lowercase = words[after_notice..words.len() - 1]
            .iter()
            .rposition(|w| {
                w.chars().next().is_some_and(char::is_lowercase)
                    && !NAME_JOINERS.contains(&w.to_lowercase().as_str())
                    && !(label.len() >= 3 && w.to_lowercase().contains(label))
            })
            .map_or(after_notice, |i| after_notice + i + 1);
        let start = words[after_lowercase..]
            .iter()
            .position(|w| {
                let lw = w.to_lowercase();
                w.chars().next().is_some_and(char::is_uppercase)
                    || (label.len() >= 3 && lw.contains(label))
            })
            .map_or(after_lowercase, |i| after_lowercase + i);
        // "Services provided by X AB", "Cookies durch X GmbH", "… sont
        // exploités par X SAS": the name is what follows the last word
        // that hands the sentence to someone.
        let handed = words[after_notice..]
            .iter()
            .rposition(|w| is_handing(&w.to_lowercase()))
            .map(|i| after_notice + i)
            .filter(|i| *i + 1 < words.len());
        // The site's operator or publisher named as such ("exploités
        // par", "operated by", "ägs av") is the owner even when its name is
        // not the brand's: the verb is among the three words before the
        // handing word, in the name's capture or on the line before it
        // ("exploité et hébergé par la société X").
        let operator = {
            let mut ws: Vec<String> = before.split_whitespace().map(str::to_owned).collect();
            match handed {
                Some(i) => ws.extend(words[..=i].iter().map(|w| w.to_lowercase())),
                // Only when the line ends by handing the sentence to the
                // name, with words between ("… par la société").
                None => {
                    let ends_handing = ws.iter().rev().take(3).position(|w| is_handing(w));
                    let plain_between = ends_handing.is_some_and(|p| {
                        ws.iter()
                            .rev()
                            .take(p)
                            .all(|w| w.chars().all(char::is_alphabetic))
                    });
                    if !plain_between {
                        ws.clear();
                    }
                }
            }
            let handing = ws.iter().rposition(|w| is_handing(w));
            handing.is_some_and(|h| {
                ws[h.saturating_sub(3)..h]
                    .iter()
                    .any(|w| OPERATOR_VERBS.iter().any(|v| w.starts_with(v)))
            })
        };
        // An imprint's label for the owner just before the name
        // ("Siège social :", "Herausgeber:", "Company name:").
        let labelled_owner = OWNER_LABEL.is_match(&before);
        // A name followed by its own tax or register number ("Acme SpA, Via
        // Roma 1 – P.IVA …", "Acme SAS, with a capital of … RCS Paris") is
        // the one the imprint is about, unless the words before it hand the
        // line to a third party (host, insurer, agency, payment provider).
        let registered = REGISTER_AFTER.is_match(&mention.after.to_lowercase())
            && !THIRD_PARTY_BEFORE.is_match(&before);
        // So is the holder of the site's copyright.
        let copyright = words[..after_notice]
            .iter()
            .any(|w| matches!(w.to_lowercase().as_str(), "©" | "(c)" | "copyright"));
        // From the handing word on, lowercase words ("la société") are
        // not part of the name either.
        let start = handed.map_or(start, |i| {
            words[i + 1..]
                .iter()
                .position(|w| w.chars().next().is_some_and(char::is_uppercase))
                .map_or(i + 1, |j| i + 1 + j)
                .min(words.len() - 1)
        });
        let mut legal = words[start..].join(" ");
        // "Kelindi, SAS au capital de…": a comma before a continental
        // legal form sets it in apposition; the name is "Kelindi SAS".
        // ("Fortinet, Inc." keeps its comma: that is how it is written.)
        for form in [
            ", SAS", ", SARL", ", SA", ", SASU", ", EURL", ", GmbH", ", AG", ", AB", ", SpA",
            ", S.p.A.", ", SRL", ", S.r.l.", ", BV", ", B.V.", ", NV", ", N.V.",
        ] {
            if legal.ends_with(form) {
                legal = format!("{}{}", &legal[..legal.len() - form.len()], &form[1..]);
                break;
            }
        }
        let own = crate::normalize::name_words(&legal)
            .iter()
            .any(|w| w.len() >= 4 && label.contains(w.as_str()))
            || compact_name(&legal).contains(label) && label.len() >= 3
            || operator
            || labelled_owner
            || registered
            || copyright;
        if own {
            out.push(legal);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::own_legal_names;

    #[test]
    fn a_form_written_out_in_words_becomes_its_abbreviation() {
        let fr = "Le site est édité par la société ACME-NOVA , Société par Actions Simplifiée, au capital de 1 000 €.";
        assert_eq!(own_legal_names(fr, "acmenova"), ["ACME-NOVA SAS"]);
        let en = "The publisher of the website is: Orbit Labs, a simplified joint stock company with capital of EUR 10,000.";
        assert_eq!(own_legal_names(en, "orbitlabs"), ["Orbit Labs SAS"]);
    }

    #[test]
    fn an_imprint_label_or_an_owning_verb_names_the_owner() {
        // The brand is not the company: what says so is the label or the verb.
        let label = "Siège social :\n\nBLUEWAVE, SAS 3 rue Neuve, 59000 Lille";
        assert_eq!(own_legal_names(label, "petitpoisson"), ["BLUEWAVE SAS"]);
        let sv = "Smakboden ägs av\nKrydda Holding AB\nOrg.nr: 556000-0000";
        assert_eq!(own_legal_names(sv, "smakboden"), ["Krydda Holding AB"]);
        let da = "Madhuset udgives af Nordlys Medier ApS, der ejes af en stifter.";
        assert_eq!(own_legal_names(da, "madhuset"), ["Nordlys Medier ApS"]);
    }

    #[test]
    fn a_name_followed_by_its_tax_number_is_the_owner_unless_a_host() {
        let it = "Casa Editrice Lume SpA Via Roma 1 20100 Milano - Codice fiscale e partita IVA 01234567890";
        assert_eq!(
            own_legal_names(it, "ricettario"),
            ["Casa Editrice Lume SpA"]
        );
        let host = "Hébergeur : Nuage SAS, 2 rue Haute, 59100 Roubaix, RCS Lille 424 761 419";
        assert!(own_legal_names(host, "ricettario").is_empty());
    }

    #[test]
    fn the_name_starts_after_the_sentence_around_it() {
        let de = "Das Produkt- und Dienstleistungsangebot der NORDSTERN KG gilt in Österreich.";
        assert_eq!(own_legal_names(de, "nordstern"), ["NORDSTERN KG"]);
        let joined = "© 2024 Lume Online Media & Publishing Services LLP";
        assert_eq!(
            own_legal_names(joined, "lumekitchen"),
            ["Lume Online Media & Publishing Services LLP"]
        );
    }
}
