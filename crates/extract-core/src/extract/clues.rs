//! Judgements about single signals of a page: whether an image is the
//! site's brand or another's, whether a text is a site builder's default or
//! a placeholder, whether a link may be a social profile, the name a title
//! gives.

use crate::normalize::compact_name;

/// Whether a "logo" image's file name names another brand: a word of it that
/// is not the site's ("logo-partnername.svg", a social network's logo).
pub(super) fn names_other_brand(img: &super::html::Image, label: &str) -> bool {
    const PLAIN: &[&str] = &[
        "logo",
        "logos",
        "white",
        "black",
        "color",
        "colour",
        "dark",
        "light",
        "small",
        "large",
        "header",
        "footer",
        "main",
        "site",
        "website",
        "default",
        "mobile",
        "retina",
        "transparent",
        "horizontal",
        "vertical",
        "full",
        "new",
        "png",
        "svg",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "img",
        "image",
        "images",
        "uploads",
        "assets",
        "static",
        "media",
        "brand",
        "cropped",
        "primary",
        "secondary",
        "inverted",
        "negative",
        "positive",
        "standard",
        "rgb",
        "cmyk",
        "icon",
        "mark",
        "wordmark",
        "sticky",
        "top",
        "nav",
        "desktop",
        "print",
    ];
    const NETWORKS: &[&str] = &[
        "facebook",
        "twitter",
        "linkedin",
        "instagram",
        "youtube",
        "xing",
        "pinterest",
        "reddit",
        "github",
        "tiktok",
        "whatsapp",
        "google",
        "apple",
        "paypal",
        "visa",
        "mastercard",
    ];
    let file = img
        .src
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let words: Vec<&str> = file
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 4 && !w.bytes().any(|b| b.is_ascii_digit()))
        .collect();
    words.iter().any(|w| NETWORKS.contains(w))
        || (words.iter().any(|w| w.contains("logo"))
            && words.iter().any(|w| {
                !PLAIN.contains(w)
                    && !label.contains(w)
                    && !w.contains(label)
                    && !w.contains("logo")
            }))
}

/// Whether a profile URL's handle shares a part of the site's domain label.
pub(super) fn slug_names_site(url: &str, label: &str) -> bool {
    let slug = url.rsplit('/').next().unwrap_or_default().to_lowercase();
    let slug: String = slug.chars().filter(|c| c.is_alphanumeric()).collect();
    if label.len() < 3 || slug.is_empty() {
        return true;
    }
    slug.contains(label)
        || label.contains(&slug)
        || (0..=label.len().saturating_sub(4)).any(|i| {
            label.is_char_boundary(i)
                && label.is_char_boundary(i + 4)
                && slug.contains(&label[i..i + 4])
        })
}

/// A site title a site builder or theme leaves until the owner sets one
/// ("acmes Webseite!", "My WordPress Site").
pub(super) fn is_builder_default(value: &str) -> bool {
    let v = value.trim().to_lowercase();
    v.ends_with("s webseite!")
        || v.ends_with("'s website")
        || v.ends_with("s website!")
        || v.starts_with("my wordpress")
        || v == "site title"
        || v == "just another wordpress site"
}

/// A description a site builder or theme left in place of one.
pub(super) fn is_placeholder_description(value: &str) -> bool {
    let v = value.trim().trim_end_matches('.').to_lowercase();
    v.is_empty()
        || matches!(
            v.as_str(),
            "description"
                | "just another wordpress site"
                | "default description"
                | "page description"
        )
}

/// Whether an image is the site's own logo: in the home link or named so,
/// and not one of a strip of partners', clients' or payment providers' logos.
pub(super) fn is_brand_image(img: &super::html::Image) -> bool {
    const OTHERS: [&str; 15] = [
        "partner", "client", "customer", "kunde", "payment", "zahlung", "award", "sponsor",
        "badge", "certif", "siegel", "trust", "hero", "banner", "slide",
    ];
    let named = img.hints.contains("logo") || img.hints.contains("brand");
    (img.in_home_link || named)
        && !OTHERS.iter().any(|o| img.hints.contains(o))
        && !img.hints.contains("icon")
}

/// Whether a (lowercased) link may point at a social or reference profile:
/// a cheap test that spares the URL parser most links.
pub(super) fn may_be_social(href: &str) -> bool {
    // A path on the same site is never one.
    if href.starts_with('/') && !href.starts_with("//") {
        return false;
    }
    let host = href.split_once("//").map_or(href, |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or(host);
    const HOSTS: [&str; 12] = [
        "linkedin.",
        "twitter.",
        "x.com",
        "facebook.",
        "fb.com",
        "github.",
        "youtube.",
        "instagram.",
        "crunchbase.",
        "wikipedia.",
        "youtu.be",
        "xing.",
    ];
    HOSTS.iter().any(|h| host.contains(h))
}

/// The company name hidden in a title like "Walmart | Save Money. Live Better.":
/// the words that spell the site's domain label `plain`, or the segment
/// that matches it best.
pub(super) fn name_from_title(title: &str, plain: &str) -> Option<String> {
    if title.is_empty() {
        return None;
    }
    let normalized = title.replace('\u{a0}', " ");
    let mut segments: Vec<&str> = vec![normalized.as_str()];
    for sep in [" | ", " - ", " – ", " — ", " · ", ": "] {
        segments = segments.iter().flat_map(|s| s.split(sep)).collect();
    }
    // "Advertising on Jodel": the words that spell the domain are the name.
    // A run can spell it only if its first kept word starts as the domain
    // label does: most runs are told apart without normalising them.
    let first = plain.as_bytes().first().copied();
    let may_start = |w: &str| match w
        .chars()
        .find(|c| c.is_alphanumeric() || matches!(c, '&' | '+'))
    {
        Some('&' | '+') => first == Some(b'a'),
        Some(c) if c.is_ascii() => first == Some(c.to_ascii_lowercase() as u8),
        // A folded letter, or no letter at all: the normalisation decides.
        _ => true,
    };
    for seg in &segments {
        let words: Vec<&str> = seg.split_whitespace().collect();
        if words.len() < 2 {
            continue;
        }
        for len in 1..=words.len().min(4) {
            for (i, win) in words.windows(len).enumerate() {
                // Only after a lowercase word ("… on Jodel"): "United Continental" stays whole.
                let after_lowercase =
                    i > 0 && words[i - 1].chars().next().is_some_and(char::is_lowercase);
                if !after_lowercase
                    || !(may_start(win[0])
                        || (win.len() > 1
                            && win[0].eq_ignore_ascii_case("the")
                            && may_start(win[1])))
                {
                    continue;
                }
                let run = win.join(" ");
                if compact_name(&run) == plain {
                    return Some(run);
                }
            }
        }
    }
    let stripped: Vec<&str> = segments.iter().map(|s| strip_page_words(s)).collect();
    let (score, best) = stripped
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| (super::similarity(&compact_name(s), plain), s))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (score >= 0.5 && best.split_whitespace().count() <= 6).then(|| best.to_owned())
}

/// A title segment without the words that name the kind of page rather
/// than its owner ("Mentions légales Acme" → "Acme", "Acme Blog" → "Acme").
pub(super) fn strip_page_words(segment: &str) -> &str {
    const PAGE_WORDS: [&str; 24] = [
        "mentions légales",
        "mentions legales",
        "legal notice",
        "legal notices",
        "impressum",
        "imprint",
        "datenschutzerklärung",
        "datenschutz",
        "privacy policy",
        "terms of service",
        "terms of use",
        "conditions générales",
        "contact us",
        "contact",
        "kontakt",
        "about us",
        "über uns",
        "chi siamo",
        "contatti",
        "aviso legal",
        "note legali",
        "blog",
        "startseite",
        "homepage",
    ];
    let mut s = segment.trim();
    loop {
        let lower = s.to_lowercase();
        let before = s.len();
        for w in PAGE_WORDS {
            if lower.starts_with(w)
                && lower.len() > w.len()
                && lower[w.len()..].starts_with([' ', ':', '-'])
            {
                // `lower` and `s` share byte offsets only while lowercasing
                // keeps lengths: count characters instead.
                let n = w.chars().count();
                let cut = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                s = s[cut..].trim_start_matches([' ', ':', '-']).trim();
                break;
            }
            if lower.ends_with(w)
                && lower.len() > w.len()
                && lower[..lower.len() - w.len()].ends_with([' ', '-'])
            {
                let n = s.chars().count() - w.chars().count();
                let cut = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                s = s[..cut].trim_end_matches([' ', '-']).trim();
                break;
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Whether `value` can be an organisation's name: a few words, not a
/// sentence, not a web address.
pub(super) fn plausible_name(value: &str) -> bool {
    let words = value.split_whitespace().count();
    let host_like = !value.contains(' ')
        && value.contains('.')
        && value
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        // "Booking.com" and "Web.de" are brands; "www.acme.de", "acme.de" are addresses.
        && (value.to_ascii_lowercase().starts_with("www.") || !value.chars().any(|c| c.is_ascii_uppercase()));
    (1..=8).contains(&words) && value.chars().count() <= 60 && !host_like
}

pub(super) fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_words_are_not_the_owner_s_name() {
        let check = |title: &str, want: &str| assert_eq!(strip_page_words(title), want, "{title}");
        check("Mentions légales Acme Conseil", "Acme Conseil");
        check("Impressum: Beispiel GmbH", "Beispiel GmbH");
        check("Acme Blog", "Acme");
        check("Contact - Acme", "Acme");
        check("Acme", "Acme");
        check("Blog", "Blog");
        assert_eq!(
            name_from_title("Mentions Légales Exemplo Conseil", "exemploconseil").as_deref(),
            Some("Exemplo Conseil")
        );
    }

    #[test]
    fn the_words_of_a_title_that_spell_the_domain_are_the_name() {
        let check = |title: &str, plain: &str, want: Option<&str>| {
            assert_eq!(name_from_title(title, plain).as_deref(), want, "{title}")
        };
        check("Advertising on Jodel", "jodel", Some("Jodel"));
        check(
            "Werben mit der Acme Rakete",
            "acmerakete",
            Some("Acme Rakete"),
        );
        check("Willkommen bei the Acme", "acme", Some("Acme"));
        check(
            "Willkommen bei the Acme Rakete",
            "acmerakete",
            Some("Acme Rakete"),
        );
        check("Willkommen bei & Partner", "andpartner", Some("& Partner"));
        // A folded first letter is left to the normalisation.
        let folded = crate::normalize::compact_name("Öko Haus");
        check("Willkommen bei Öko Haus", &folded, Some("Öko Haus"));
        check("Willkommen bei Nobody Here", "jodel", None);
    }

    #[test]
    fn a_sentence_or_a_host_is_not_a_name() {
        assert!(plausible_name("Acme Rockets"));
        assert!(plausible_name("Müller & Söhne GmbH & Co. KG"));
        assert!(!plausible_name("www.beispiel.de"));
        assert!(!plausible_name("beispiel.co.uk"));
        assert!(!plausible_name(
            "Find a plumber near you today with our simple online booking service"
        ));
        assert!(plausible_name("Web.de"), "a brand written with its capital");
    }
}
