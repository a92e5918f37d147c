//! One streaming pass over a page with `lol_html`, collecting raw signals:
//! title, meta tags, JSON-LD blocks, microdata items, links, icons and the
//! visible text. Nothing is interpreted here; `facts` does that.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::LazyLock;

use lol_html::html_content::{Element, TextType};
use lol_html::{
    doc_text, element, end_tag, AsciiCompatibleEncoding, HtmlRewriter, MemorySettings, Settings,
};

use super::microdata::{self, Item, Value};
use super::Limits;

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
    /// Open microdata items, innermost last, each with the property it fills in its parent.
    items: Vec<(Item, Vec<String>)>,
    /// Open text captures of `itemprop` elements: (property names, text so far).
    captures: Vec<(Vec<String>, String)>,
}

type Shared = Rc<RefCell<State>>;

/// Runs the pass. `charset` is the one named by the `Content-Type` header, if any;
/// a `<meta charset>` in the page switches the decoder as browsers do.
pub(crate) fn scan(html: &[u8], charset: Option<&str>, limits: &Limits) -> Raw {
    let state: Shared = Rc::new(RefCell::new(State {
        limits: limits.clone(),
        ..State::default()
    }));
    let encoding = charset
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
        .and_then(AsciiCompatibleEncoding::new)
        .unwrap_or_else(AsciiCompatibleEncoding::utf_8);

    let (s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11) = (
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
    );
    // Attribute selectors that apply to any tag make the parser read the
    // attributes of every tag; register them only when the page has any.
    let has_microdata = MICRODATA.iter().any(|f| f.find(html).is_some());
    let has_jsonld = JSONLD.find(html).is_some();
    let mut handlers = vec![
        element!("title", move |el| {
            on_title(&s1, el);
            Ok(())
        }),
        element!("a[href]", move |el| {
            on_anchor(&s3, el);
            Ok(())
        }),
        element!("img", move |el| {
            on_img(&s10, el);
            Ok(())
        }),
        element!("meta", move |el| {
            on_meta(&s4, el);
            Ok(())
        }),
        element!("link[href]", move |el| {
            on_link(&s5, el);
            Ok(())
        }),
        element!("html[lang]", move |el| {
            s11.borrow_mut().raw.lang = el.get_attribute("lang");
            Ok(())
        }),
        element!("base[href]", move |el| {
            let mut st = s6.borrow_mut();
            if st.raw.base.is_none() {
                st.raw.base = el.get_attribute("href");
            }
            Ok(())
        }),
    ];
    if has_jsonld {
        handlers.push(element!(r#"script[type*="ld+json"]"#, move |el| {
            on_jsonld(&s2, el);
            Ok(())
        }));
    }
    if has_microdata {
        handlers.push(element!("[itemscope]", move |el| {
            on_itemscope(&s7, el);
            Ok(())
        }));
        handlers.push(element!("[itemprop]", move |el| {
            on_itemprop(&s8, el);
            Ok(())
        }));
    }
    let settings = Settings {
        element_content_handlers: handlers,
        document_content_handlers: vec![doc_text!(move |chunk| {
            on_text(
                &s9,
                chunk.as_str(),
                chunk.text_type(),
                chunk.last_in_text_node(),
            );
            Ok(())
        })],
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
    // Items whose end tag never came (implied by the parser) are kept as found.
    while let Some((item, _)) = st.items.pop() {
        st.raw.microdata.push(item);
    }
    st.raw.truncated |= cut || failed;
    std::mem::take(&mut st.raw)
}

fn on_title(state: &Shared, el: &mut Element<'_, '_>) {
    if !el.can_have_content() || !state.borrow().raw.title.is_empty() {
        return;
    }
    state.borrow_mut().title_open = true;
    let s = state.clone();
    let _ = el.on_end_tag(end_tag!(move |_| {
        s.borrow_mut().title_open = false;
        Ok(())
    }));
}

fn on_jsonld(state: &Shared, el: &mut Element<'_, '_>) {
    if !el.can_have_content() {
        return;
    }
    {
        let mut st = state.borrow_mut();
        if st.raw.jsonld.len() >= st.limits.max_jsonld_blocks {
            return;
        }
        st.raw.jsonld.push(String::new());
        st.jsonld_open = true;
    }
    let s = state.clone();
    let _ = el.on_end_tag(end_tag!(move |_| {
        s.borrow_mut().jsonld_open = false;
        Ok(())
    }));
}

fn on_anchor(state: &Shared, el: &mut Element<'_, '_>) {
    let Some(href) = el.get_attribute("href") else {
        return;
    };
    {
        let mut st = state.borrow_mut();
        if st.raw.anchors.len() >= st.limits.max_links {
            st.raw.truncated = true;
            return;
        }
        st.anchor_home = is_home_href(&href);
        st.raw.anchors.push(Anchor {
            href,
            text: String::new(),
        });
        st.anchor_open = el.can_have_content();
    }
    if el.can_have_content() {
        let s = state.clone();
        let _ = el.on_end_tag(end_tag!(move |_| {
            s.borrow_mut().anchor_open = false;
            Ok(())
        }));
    }
}

fn on_img(state: &Shared, el: &mut Element<'_, '_>) {
    let mut st = state.borrow_mut();
    if st.raw.images.len() >= 256 {
        return;
    }
    let attr = |name: &str| el.get_attribute(name).unwrap_or_default();
    let src = attr("src");
    let lazy = ["data-src", "data-lazy-src", "data-original"]
        .iter()
        .map(|a| attr(a))
        .find(|v| !v.trim().is_empty())
        .or_else(|| {
            let set = attr("srcset");
            let set = if set.is_empty() {
                attr("data-srcset")
            } else {
                set
            };
            set.split(',')
                .next()
                .and_then(|c| c.split_whitespace().next())
                .map(str::to_owned)
        });
    let placeholder = src.trim().is_empty()
        || src.starts_with("data:")
        || src.contains("blank.gif")
        || src.contains("placeholder");
    let chosen = if placeholder {
        lazy.unwrap_or_default()
    } else {
        src
    };
    if chosen.trim().is_empty() {
        return;
    }
    let hints = format!(
        "{} {} {} {}",
        attr("alt"),
        attr("class"),
        attr("id"),
        chosen
    )
    .to_lowercase();
    let in_home_link = st.anchor_open && st.anchor_home;
    let link = if st.anchor_open {
        st.raw.anchors.last().map(|a| a.href.clone())
    } else {
        None
    };
    st.raw.images.push(Image {
        src: chosen,
        hints,
        in_home_link,
        link,
    });
}

/// Whether a link's `href` points at the site's home page.
fn is_home_href(href: &str) -> bool {
    let h = href.trim();
    let path = match h.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => h,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    matches!(
        path,
        "" | "/" | "./" | "/index.html" | "/index.php" | "index.html"
    ) || (path.len() <= 4
        && path.starts_with('/')
        && path[1..].chars().all(|c| c.is_ascii_alphabetic()))
}

fn on_meta(state: &Shared, el: &mut Element<'_, '_>) {
    let key = el
        .get_attribute("property")
        .or_else(|| el.get_attribute("name"));
    let (Some(key), Some(content)) = (key, el.get_attribute("content")) else {
        return;
    };
    let key = key.trim().to_ascii_lowercase();
    let wanted = key.starts_with("og:")
        || key.starts_with("twitter:")
        || ["article:", "profile:", "music:", "video:", "book:", "fb:"]
            .iter()
            .any(|p| key.starts_with(p))
        || matches!(
            key.as_str(),
            "description" | "keywords" | "application-name" | "author" | "dc.publisher"
        );
    if wanted {
        let mut st = state.borrow_mut();
        if st.raw.metas.len() < 256 {
            st.raw.metas.push((key, content));
        }
    }
}

fn on_link(state: &Shared, el: &mut Element<'_, '_>) {
    let (Some(rel), Some(href)) = (el.get_attribute("rel"), el.get_attribute("href")) else {
        return;
    };
    let rel = rel.to_ascii_lowercase();
    if rel.contains("icon") || rel.contains("logo") || rel.contains("canonical") {
        let mut st = state.borrow_mut();
        if st.raw.icons.len() < 32 {
            st.raw.icons.push((rel, href));
        }
    }
}

fn on_itemscope(state: &Shared, el: &mut Element<'_, '_>) {
    let types = el
        .get_attribute("itemtype")
        .map(|t| microdata::item_types(&t))
        .unwrap_or_default();
    let props = el
        .get_attribute("itemprop")
        .map(|p| p.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    {
        let mut st = state.borrow_mut();
        if st.items.len() >= 16 || st.raw.microdata.len() >= st.limits.max_items {
            return;
        }
        st.items.push((Item::new(types), props));
    }
    if el.can_have_content() {
        let s = state.clone();
        let _ = el.on_end_tag(end_tag!(move |_| {
            close_item(&s);
            Ok(())
        }));
    } else {
        close_item(state);
    }
}

fn close_item(state: &Shared) {
    let mut st = state.borrow_mut();
    let Some((item, props)) = st.items.pop() else {
        return;
    };
    match st.items.last_mut() {
        Some((parent, _)) if !props.is_empty() => {
            for p in props {
                parent.push(p, Value::Item(item.clone()));
            }
        }
        _ => st.raw.microdata.push(item),
    }
}

fn on_itemprop(state: &Shared, el: &mut Element<'_, '_>) {
    if el.has_attribute("itemscope") {
        return; // The item itself is the value; on_itemscope handles it.
    }
    let Some(props) = el.get_attribute("itemprop") else {
        return;
    };
    let props: Vec<String> = props.split_whitespace().map(str::to_owned).collect();
    if state.borrow().items.is_empty() {
        return;
    }
    let tag = el.tag_name();
    let attr = match tag.as_str() {
        "meta" => el.get_attribute("content"),
        "a" | "link" | "area" => el.get_attribute("href"),
        "img" | "audio" | "video" | "source" | "embed" | "iframe" | "track" => {
            el.get_attribute("src")
        }
        "object" => el.get_attribute("data"),
        "time" => el.get_attribute("datetime"),
        "data" | "meter" => el.get_attribute("value"),
        _ => el.get_attribute("content"),
    };
    if let Some(value) = attr {
        let mut st = state.borrow_mut();
        if let Some((item, _)) = st.items.last_mut() {
            for p in props {
                item.push(p, Value::Text(decode(&value)));
            }
        }
        return;
    }
    if !el.can_have_content() {
        return;
    }
    state.borrow_mut().captures.push((props, String::new()));
    let s = state.clone();
    let _ = el.on_end_tag(end_tag!(move |_| {
        let mut st = s.borrow_mut();
        if let Some((props, text)) = st.captures.pop() {
            let value = collapse_ws(&decode(&text));
            if let Some((item, _)) = st.items.last_mut() {
                for p in props {
                    item.push(p, Value::Text(value.clone()));
                }
            }
        }
        Ok(())
    }));
}

fn on_text(state: &Shared, chunk: &str, kind: TextType, last: bool) {
    let mut st = state.borrow_mut();
    let st = &mut *st;
    match kind {
        TextType::ScriptData if st.jsonld_open => {
            let max = st.limits.max_jsonld_bytes;
            if let Some(block) = st.raw.jsonld.last_mut() {
                if block.len() + chunk.len() <= max {
                    block.push_str(chunk);
                } else {
                    st.raw.truncated = true;
                }
            }
        }
        TextType::RCData if st.title_open && st.raw.title.len() < 1024 => {
            st.raw.title.push_str(chunk);
        }
        TextType::Data => {
            if st.raw.text.len() + chunk.len() <= st.limits.max_text_bytes {
                st.raw.text.push_str(chunk);
                if last {
                    st.raw.text.push('\n');
                }
            } else {
                st.raw.truncated = true;
            }
            if st.anchor_open {
                if let Some(a) = st.raw.anchors.last_mut() {
                    if a.text.len() < 200 {
                        a.text.push_str(chunk);
                    }
                }
            }
            for (_, text) in &mut st.captures {
                if text.len() < 4096 {
                    text.push_str(chunk);
                    if last {
                        text.push(' ');
                    }
                }
            }
        }
        _ => {}
    }
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

/// Decodes HTML entities, without allocating when there are none.
pub(crate) fn decode(s: &str) -> String {
    if s.contains('&') {
        html_escape::decode_html_entities(s).into_owned()
    } else {
        s.to_owned()
    }
}

/// Collapses runs of whitespace to one space and trims.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
