//! One streaming pass over a page with `lol_html`, collecting raw signals:
//! title, meta tags, JSON-LD blocks, microdata items, links and icons; and
//! the visible text, read off the same bytes by `visible` in the page's
//! character set. Nothing is interpreted here; `facts` does that.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::LazyLock;

use std::borrow::Cow;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{
    AsciiCompatibleEncoding, ElementContentHandlers, HandlerResult, HtmlRewriter, MemorySettings,
    Selector, Settings,
};

use super::microdata::{self, Item};
use super::Limits;

mod handlers;
mod visible;

pub(crate) use visible::{NAV_BYTES, SHORT_LINK_BYTES};

use handlers::{
    on_anchor, on_anchor_text, on_base, on_img, on_img_in_link, on_itemprop, on_itemprop_text,
    on_itemscope, on_jsonld, on_jsonld_text, on_lang, on_link, on_meta, on_title, on_title_text,
};

/// An `<a href>` with its text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Anchor {
    pub(crate) href: String,
    pub(crate) text: String,
}

/// An `<img>` with what says whether it is the site's logo.
#[derive(Debug, Clone, Default)]
pub(crate) struct Image {
    /// `src`, or the lazy-loading `data-src` / first `srcset` URL when `src` is a placeholder.
    pub(crate) src: String,
    /// `alt`, `class`, `id` and `src` together, lowercased: where "logo" would be written.
    pub(crate) hints: String,
    /// Inside a link to the site's home page (the header's brand link).
    pub(crate) in_home_link: bool,
    /// The `href` of the link it is in, if any.
    pub(crate) link: Option<String>,
}

/// What one pass over a page collected.
#[derive(Debug, Default)]
pub(crate) struct Raw {
    pub(crate) title: String,
    /// `(key, content)` of meta tags, key lowercased: `description`, `og:title`, …
    pub(crate) metas: Vec<(String, String)>,
    pub(crate) jsonld: Vec<String>,
    pub(crate) microdata: Vec<Item>,
    pub(crate) anchors: Vec<Anchor>,
    /// Images, in document order (the first few hundred).
    pub(crate) images: Vec<Image>,
    /// `(rel, href)` of `<link>` icons.
    pub(crate) icons: Vec<(String, String)>,
    pub(crate) base: Option<String>,
    /// `<html lang>`.
    pub(crate) lang: Option<String>,
    /// Visible text, one text node a line.
    pub(crate) text: String,
    /// Where in `text` the short links' text is (see `visible::Text`);
    /// none when the page's character set is not UTF-8.
    pub(crate) link_text: Vec<std::ops::Range<usize>>,
    /// The input went over a limit and was cut.
    pub(crate) truncated: bool,
}

#[derive(Default)]
struct State {
    raw: Raw,
    limits: Limits,
    title_open: bool,
    jsonld_open: bool,
    anchor_open: bool,
    /// The open anchor points at the site's home page.
    anchor_home: bool,
    /// The image being read is inside a link (set by the `a[href] img`
    /// handler, which runs before the `img` one).
    img_in_link: bool,
    /// Open microdata items, innermost last, each with the property it fills in its parent.
    items: Vec<(Item, Vec<String>)>,
    /// Open text captures of `itemprop` elements: (property names, text so far).
    captures: Vec<(Vec<String>, String)>,
    /// The character set a `<meta>` names, the first one.
    meta_charset: Option<&'static encoding_rs::Encoding>,
}

type Shared = Rc<RefCell<State>>;

/// Runs the pass. `charset` is the one named by the `Content-Type` header, if any;
/// a `<meta charset>` in the page switches the decoder as browsers do.
pub(crate) fn scan(html: &[u8], charset: Option<&str>, limits: &Limits) -> Raw {
    let state: Shared = Rc::new(RefCell::new(State {
        limits: limits.clone(),
        ..State::default()
    }));
    // The header's character set, unless a `<meta>` names another (as
    // browsers and the parser do).
    let declared = charset
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
        .filter(|e| e.is_ascii_compatible())
        .unwrap_or(encoding_rs::UTF_8);
    let encoding =
        AsciiCompatibleEncoding::new(declared).unwrap_or_else(AsciiCompatibleEncoding::utf_8);

    // Attribute selectors that apply to any tag make the parser read the
    // attributes of every tag; register them only when the page has any.
    let has_microdata = MICRODATA.iter().any(|f| f.find(html).is_some());
    let has_jsonld = JSONLD.find(html).is_some();
    // Text is handed over only inside the elements that want theirs (the
    // title, links, JSON-LD, microdata properties); the page's visible
    // text is read off the bytes (see `visible`).
    let s = &state;
    let mut handlers = vec![
        with_text(s, &SELECTORS.title, on_title, on_title_text),
        with_text(s, &SELECTORS.a, on_anchor, on_anchor_text),
        // Registered first, so it runs first for an image in a link.
        element(s, &SELECTORS.a_img, on_img_in_link),
        element(s, &SELECTORS.img, on_img),
        element(s, &SELECTORS.meta, on_meta),
        element(s, &SELECTORS.link, on_link),
        element(s, &SELECTORS.html_lang, on_lang),
        element(s, &SELECTORS.base, on_base),
    ];
    if has_jsonld {
        handlers.push(with_text(s, &SELECTORS.jsonld, on_jsonld, on_jsonld_text));
    }
    if has_microdata {
        handlers.push(element(s, &SELECTORS.itemscope, on_itemscope));
        handlers.push(with_text(
            s,
            &SELECTORS.itemprop,
            on_itemprop,
            on_itemprop_text,
        ));
    }
    let settings = Settings {
        element_content_handlers: handlers,
        encoding,
        memory_settings: MemorySettings {
            max_allowed_memory_usage: limits.parser_memory_bytes,
            ..MemorySettings::default()
        },
        adjust_charset_on_meta_tag: true,
        ..Settings::new()
    };

    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    let (input, cut) = if html.len() > limits.max_html_bytes {
        (&html[..limits.max_html_bytes], true)
    } else {
        (html, false)
    };
    // Feed in pieces so that a parse failure (memory limit) keeps what came before.
    let mut failed = false;
    for piece in input.chunks(64 * 1024) {
        if rewriter.write(piece).is_err() {
            failed = true;
            break;
        }
    }
    if !failed {
        failed = rewriter.end().is_err();
    }
    let mut st = state.borrow_mut();
    let visible::Text {
        all: mut text,
        mut links,
        truncated: text_cut,
    } = visible::text_nodes(input, limits.max_text_bytes);
    if text.starts_with(b"\xEF\xBB\xBF") {
        text.drain(..3);
        links.retain(|r| r.start >= 3);
        for r in &mut links {
            *r = r.start - 3..r.end - 3;
        }
    }
    let encoding = st.meta_charset.unwrap_or(declared);
    st.raw.text = if encoding == encoding_rs::UTF_8 {
        match String::from_utf8(text) {
            Ok(text) => {
                st.raw.link_text = links;
                text
            }
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    } else {
        encoding.decode_without_bom_handling(&text).0.into_owned()
    };
    st.raw.truncated |= text_cut;
    // Items whose end tag never came (implied by the parser) are kept as found.
    while let Some((item, _)) = st.items.pop() {
        st.raw.microdata.push(item);
    }
    st.raw.truncated |= cut || failed;
    std::mem::take(&mut st.raw)
}

/// The selectors of the pass, parsed once: parsing them for every page was
/// a few per cent of a small page's extraction.
struct Selectors {
    title: Selector,
    a: Selector,
    a_img: Selector,
    img: Selector,
    meta: Selector,
    link: Selector,
    html_lang: Selector,
    base: Selector,
    jsonld: Selector,
    itemscope: Selector,
    itemprop: Selector,
}

static SELECTORS: LazyLock<Selectors> = LazyLock::new(|| {
    let parse = |s: &str| s.parse::<Selector>().expect("a valid selector");
    Selectors {
        title: parse("title"),
        a: parse("a[href]"),
        a_img: parse("a[href] img"),
        img: parse("img"),
        meta: parse("meta"),
        link: parse("link[href]"),
        html_lang: parse("html[lang]"),
        base: parse("base[href]"),
        jsonld: parse(r#"script[type*="ld+json"]"#),
        itemscope: parse("[itemscope]"),
        itemprop: parse("[itemprop]"),
    }
});

/// A handler list entry: a selector and what to do with what it matches.
type Handlers<'h> = (Cow<'static, Selector>, ElementContentHandlers<'h>);

/// The handler of the elements `selector` matches, given the pass's state.
fn element<'h>(
    state: &Shared,
    selector: &'static Selector,
    on: impl Fn(&Shared, &mut Element<'_, '_>) + 'h,
) -> Handlers<'h> {
    let s = state.clone();
    (
        Cow::Borrowed(selector),
        ElementContentHandlers::default().element(
            move |el: &mut Element<'_, '_>| -> HandlerResult {
                on(&s, el);
                Ok(())
            },
        ),
    )
}

/// The handlers of elements whose own text is wanted too.
fn with_text<'h>(
    state: &Shared,
    selector: &'static Selector,
    on_element: impl Fn(&Shared, &mut Element<'_, '_>) + 'h,
    on_text: impl Fn(&Shared, &TextChunk<'_>) + 'h,
) -> Handlers<'h> {
    let t = state.clone();
    let (selector, handlers) = element(state, selector, on_element);
    (
        selector,
        handlers.text(move |chunk: &mut TextChunk<'_>| -> HandlerResult {
            on_text(&t, chunk);
            Ok(())
        }),
    )
}

/// Searchers for the markers of costly handlers, built once.
static MICRODATA: LazyLock<[memchr::memmem::Finder<'static>; 2]> = LazyLock::new(|| {
    // HTML attribute names are case-insensitive; authors write "itemScope" too.
    [
        memchr::memmem::Finder::new("itemscope"),
        memchr::memmem::Finder::new("itemScope"),
    ]
});
static JSONLD: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("ld+json"));

/// Decodes HTML entities, without allocating when there are none. The
/// entities pages write most are decoded here; a text with any other is
/// handed whole to `html_escape` (whose lookup of 2,000 names was a few
/// per cent of a page's extraction).
pub(crate) fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    common_entities(s).unwrap_or_else(|| html_escape::decode_html_entities(s).into_owned())
}

/// `s` with its entities decoded, if each is a numeric one or one of
/// [`COMMON`], written with its `;`; else `None`.
fn common_entities(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let entity = &rest[at + 1..];
        let end = entity.bytes().take(10).position(|b| b == b';')?;
        let name = &entity[..end];
        let c = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            // NUL, the C1 range browsers remap and surrogates are
            // html_escape's to decide.
            if code == 0 || (0x80..0xa0).contains(&code) {
                return None;
            }
            char::from_u32(code)?
        } else {
            COMMON.iter().find(|(n, _)| *n == name)?.1
        };
        out.push(c);
        rest = &entity[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The named entities real pages' text uses most.
const COMMON: [(&str, char); 30] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("hellip", '…'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("middot", '·'),
    ("bull", '•'),
    ("euro", '€'),
    ("auml", 'ä'),
    ("ouml", 'ö'),
    ("uuml", 'ü'),
    ("Auml", 'Ä'),
    ("Ouml", 'Ö'),
    ("Uuml", 'Ü'),
    ("szlig", 'ß'),
    ("eacute", 'é'),
    ("egrave", 'è'),
];

/// Collapses runs of whitespace to one space and trims. A run of ASCII
/// word bytes is copied at once; a character is decoded only where a byte
/// is not ASCII (white space as `char::is_whitespace` has it).
pub(crate) fn collapse_ws(s: &str) -> String {
    let ws = |b: u8| b.is_ascii_whitespace() || b == 0x0b;
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (len, white) = if !b.is_ascii() {
            let c = s[i..].chars().next().expect("on a character boundary");
            (c.len_utf8(), c.is_whitespace())
        } else if ws(b) {
            (1, true)
        } else {
            let run = bytes[i..]
                .iter()
                .position(|&b| !b.is_ascii() || ws(b))
                .unwrap_or(bytes.len() - i);
            (run, false)
        };
        if white {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(b' ');
            }
            space = false;
            out.extend_from_slice(&bytes[i..i + len]);
        }
        i += len;
    }
    String::from_utf8(out).expect("whole characters copied")
}

#[cfg(test)]
mod tests {
    use super::{collapse_ws, decode};

    #[test]
    fn white_space_collapses_as_split_whitespace_would() {
        let pieces = [
            "a", "Wort", "é", "–", "©", "日本", " ", "  ", "\n", "\t", "\r\n", "\u{b}", "\u{c}",
            "\u{85}", "\u{a0}", "\u{1680}", "\u{2009}", "\u{200a}", "\u{200b}", "\u{2028}",
            "\u{202f}", "\u{205f}", "\u{3000}", "\u{1c}", "à", "ā", "€", "|",
        ];
        // Every string of up to four pieces, and a few long ones.
        let mut cases: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = cases
                .iter()
                .filter(|c| c.chars().count() < 8)
                .flat_map(|c| pieces.iter().map(move |p| format!("{c}{p}")))
                .collect();
            cases.extend(longer);
            cases.sort();
            cases.dedup();
        }
        cases.push("  Zahnarzt\u{a0}Praxis \t Müller –  © 2024   ".repeat(20));
        for case in &cases {
            let want = case.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_ws(case), want, "{case:?}");
        }
    }

    #[test]
    fn entities_decode_as_html_escape_decodes_them() {
        for s in [
            "Caf&eacute; &amp; Bar &#8211; &#x27;open&#39; &nbsp;&copy; 2024 M&uuml;ller",
            "&lt;b&gt; &quot;x&quot; &hellip; &euro;5 &ndash; &mdash; &rsquo;s",
            // Others go to html_escape whole: no semicolon, a rarer name, C1.
            "AT&T &amp R&D",
            "&ccedil;a &amp; &Eacute;cole",
            "&#150; &#0; &#xD800; &#99999999;",
            "& alone; &; &#; &#x;",
            "no entities",
        ] {
            assert_eq!(decode(s), html_escape::decode_html_entities(s), "{s}");
        }
    }
}
