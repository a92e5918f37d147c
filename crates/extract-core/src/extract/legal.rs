//! Legal names in a page's text that belong to the site's owner: the name
//! as written with its legal form, without the notice before it ("©
//! 2024"), the words that hand a sentence to someone ("exploité par",
//! "provided by") or a comma setting a continental form in apposition
//! ("Kelindi, SAS"); kept when a word of it spells the site's domain label,
//! when the site's operator or publisher is named as such, or when it holds
//! the site's copyright.

use super::text;
use crate::normalize::compact_name;

/// The owner's legal names in `body`, for a site whose domain label is `label`.
pub(super) fn own_legal_names(body: &str, label: &str) -> Vec<String> {
    let mut out = Vec::new();
    for legal in text::legal_names(body) {
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
        let start = words[after_notice..]
            .iter()
            .position(|w| {
                let lw = w.to_lowercase();
                w.chars().next().is_some_and(char::is_uppercase)
                    || (label.len() >= 3 && lw.contains(label))
            })
            .map_or(after_notice, |i| after_notice + i);
        // "Services provided by X AB", "Cookies durch X GmbH", "… sont
        // exploités par X SAS": the name is what follows the last word
        // that hands the sentence to someone.
        let handed = words[after_notice..]
            .iter()
            .rposition(|w| {
                matches!(
                    w.to_lowercase().as_str(),
                    "by" | "par" | "durch" | "von" | "door" | "da" | "por" | "from"
                )
            })
            .map(|i| after_notice + i)
            .filter(|i| *i + 1 < words.len());
        // The site's operator or publisher named as such ("exploités
        // par", "éditée par", "operated by", "betrieben von") is the
        // owner even when its name is not the brand's.
        let operator = handed.is_some_and(|i| {
            i > 0 && {
                let verb = words[i - 1].to_lowercase();
                [
                    "exploit",
                    "édit",
                    "edit",
                    "operated",
                    "published",
                    "run",
                    "betrieben",
                    "herausgegeben",
                    "gestió",
                    "gestit",
                    "beheerd",
                ]
                .iter()
                .any(|v| verb.starts_with(v))
            }
        });
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
            || copyright;
        if own {
            out.push(legal);
        }
    }
    out
}
