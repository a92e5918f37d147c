//! The official website an encyclopedia article's infobox names.

use super::{html, Limits};

/// The official website an encyclopedia article's infobox names: the link
/// of its `url` or `official-website` entry (how Wikipedia's `{{URL}}` and
/// `{{Official website}}` templates render), else the link of a row headed
/// "Website". Only absolute http(s) links count.
///
/// ```
/// use extract_core::extract::{official_website, Limits};
/// let html = br#"<table class="infobox vcard"><tr><th>Founded</th><td>1901</td></tr>
///   <tr><th class="infobox-label">Website</th><td class="infobox-data">
///   <span class="url"><a class="external text" href="https://www.acme.example/">acme.example</a></span></td></tr></table>"#;
/// assert_eq!(official_website(html, &Limits::default()).as_deref(), Some("https://www.acme.example/"));
/// ```
pub fn official_website(body: &[u8], limits: &Limits) -> Option<String> {
    const WEBSITE_HEADERS: &[&str] = &[
        "website",
        "web",
        "webseite",
        "site web",
        "site internet",
        "sito web",
        "sitio web",
        "websted",
        "webbplats",
        "nettsted",
        "verkkosivusto",
    ];
    use std::cell::RefCell;
    use std::rc::Rc;

    use lol_html::{element, text, HtmlRewriter, MemorySettings, Settings};

    #[derive(Default)]
    struct Found {
        templated: Option<String>,
        labelled: Option<String>,
        /// The last row header seen in the infobox, lowercased.
        header: String,
        /// Whether that header says "website" (in one of the corpus's languages).
        row_is_website: bool,
    }
    let found = Rc::new(RefCell::new(Found::default()));
    let absolute = |href: Option<String>| {
        href.map(|h| html::decode(h.trim()))
            .filter(|h| h.starts_with("https://") || h.starts_with("http://"))
    };
    let (f1, f2, f3, f4) = (found.clone(), found.clone(), found.clone(), found.clone());
    let settings = Settings {
        element_content_handlers: vec![
            element!(
                ".infobox .url a[href], .infobox .official-website a[href]",
                move |el| {
                    let mut f = f1.borrow_mut();
                    if f.templated.is_none() {
                        f.templated = absolute(el.get_attribute("href"));
                    }
                    Ok(())
                }
            ),
            element!(".infobox tr", move |_| {
                let mut f = f2.borrow_mut();
                f.header.clear();
                f.row_is_website = false;
                Ok(())
            }),
            text!(".infobox th", move |t| {
                let mut f = f3.borrow_mut();
                f.header.push_str(&t.as_str().to_lowercase());
                let h = f.header.trim();
                f.row_is_website = WEBSITE_HEADERS.contains(&h);
                Ok(())
            }),
            element!(".infobox td a[href]", move |el| {
                let mut f = f4.borrow_mut();
                if f.row_is_website && f.labelled.is_none() {
                    f.labelled = absolute(el.get_attribute("href"));
                }
                Ok(())
            }),
        ],
        memory_settings: MemorySettings {
            max_allowed_memory_usage: limits.parser_memory_bytes,
            ..MemorySettings::default()
        },
        ..Settings::new()
    };
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    let input = &body[..body.len().min(limits.max_html_bytes)];
    let ok = input
        .chunks(64 * 1024)
        .all(|piece| rewriter.write(piece).is_ok());
    if ok {
        let _ = rewriter.end();
    }
    let f = found.borrow();
    f.templated.clone().or_else(|| f.labelled.clone())
}
