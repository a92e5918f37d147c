//! The element and text handlers of the scan, one per kind of signal.

use lol_html::end_tag;
use lol_html::html_content::{Element, TextChunk, TextType};

use super::microdata::{self, Item, Value};
use super::{collapse_ws, decode, Anchor, Image, Shared};

pub(super) fn on_title(state: &Shared, el: &mut Element<'_, '_>) {
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

pub(super) fn on_jsonld(state: &Shared, el: &mut Element<'_, '_>) {
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

pub(super) fn on_anchor(state: &Shared, el: &mut Element<'_, '_>) {
    let Some(href) = el.get_attribute("href") else {
        return;
    };
    {
        let mut st = state.borrow_mut();
        if st.raw.anchors.len() >= st.limits.max_links {
            st.raw.truncated = true;
            st.anchor_open = false;
            return;
        }
        st.anchor_home = is_home_href(&href);
        st.raw.anchors.push(Anchor {
            href,
            text: String::new(),
        });
        // Whether the link was kept: its text and images are read only
        // while inside it (their handlers are scoped to `a[href]`), so no
        // end-tag handler is needed to tell when it closes.
        st.anchor_open = true;
    }
}

/// An image inside a link: called just before [`on_img`] for the same image.
pub(super) fn on_img_in_link(state: &Shared, _: &mut Element<'_, '_>) {
    state.borrow_mut().img_in_link = true;
}

pub(super) fn on_img(state: &Shared, el: &mut Element<'_, '_>) {
    let mut st = state.borrow_mut();
    let in_link = std::mem::take(&mut st.img_in_link) && st.anchor_open;
    if st.raw.images.len() >= 256 {
        return;
    }
    let attr = |name: &str| el.get_attribute(name).unwrap_or_default();
    let src = attr("src");
    let placeholder = src.trim().is_empty()
        || src.starts_with("data:")
        || src.contains("blank.gif")
        || src.contains("placeholder");
    // The lazy-loading URL is read only when `src` is a placeholder.
    let lazy = || {
        ["data-src", "data-lazy-src", "data-original"]
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
            })
    };
    let chosen = if placeholder {
        lazy().unwrap_or_default()
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
    let in_home_link = in_link && st.anchor_home;
    let link = if in_link {
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
pub(super) fn is_home_href(href: &str) -> bool {
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

/// `<html lang>`.
pub(super) fn on_lang(state: &Shared, el: &mut Element<'_, '_>) {
    state.borrow_mut().raw.lang = el.get_attribute("lang");
}

/// The first `<base href>`.
pub(super) fn on_base(state: &Shared, el: &mut Element<'_, '_>) {
    let mut st = state.borrow_mut();
    if st.raw.base.is_none() {
        st.raw.base = el.get_attribute("href");
    }
}

pub(super) fn on_meta(state: &Shared, el: &mut Element<'_, '_>) {
    if state.borrow().meta_charset.is_none() {
        let named = el.get_attribute("charset").or_else(|| {
            el.get_attribute("http-equiv")
                .filter(|h| h.trim().eq_ignore_ascii_case("content-type"))
                .and_then(|_| el.get_attribute("content"))
                .and_then(|c| super::super::charset_of(Some(&c)).map(str::to_owned))
        });
        if let Some(e) = named
            .and_then(|n| encoding_rs::Encoding::for_label_no_replacement(n.trim().as_bytes()))
            .filter(|e| e.is_ascii_compatible())
        {
            state.borrow_mut().meta_charset = Some(e);
        }
    }
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

pub(super) fn on_link(state: &Shared, el: &mut Element<'_, '_>) {
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

pub(super) fn on_itemscope(state: &Shared, el: &mut Element<'_, '_>) {
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

pub(super) fn close_item(state: &Shared) {
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

pub(super) fn on_itemprop(state: &Shared, el: &mut Element<'_, '_>) {
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

pub(super) fn on_title_text(state: &Shared, t: &TextChunk<'_>) {
    let (chunk, kind) = (t.as_str(), t.text_type());
    let mut st = state.borrow_mut();
    if kind == TextType::RCData && st.title_open && st.raw.title.len() < 1024 {
        st.raw.title.push_str(chunk);
    }
}

pub(super) fn on_jsonld_text(state: &Shared, t: &TextChunk<'_>) {
    let (chunk, kind) = (t.as_str(), t.text_type());
    let mut st = state.borrow_mut();
    let st = &mut *st;
    if kind != TextType::ScriptData || !st.jsonld_open {
        return;
    }
    let max = st.limits.max_jsonld_bytes;
    if let Some(block) = st.raw.jsonld.last_mut() {
        if block.len() + chunk.len() <= max {
            block.push_str(chunk);
        } else {
            st.raw.truncated = true;
        }
    }
}

pub(super) fn on_anchor_text(state: &Shared, t: &TextChunk<'_>) {
    let (chunk, kind) = (t.as_str(), t.text_type());
    let mut st = state.borrow_mut();
    if kind != TextType::Data || !st.anchor_open {
        return;
    }
    if let Some(a) = st.raw.anchors.last_mut() {
        if a.text.len() < 200 {
            a.text.push_str(chunk);
        }
    }
}

pub(super) fn on_itemprop_text(state: &Shared, t: &TextChunk<'_>) {
    let (chunk, last) = (t.as_str(), t.last_in_text_node());
    if t.text_type() != TextType::Data {
        return;
    }
    for (_, text) in &mut state.borrow_mut().captures {
        if text.len() < 4096 {
            text.push_str(chunk);
            if last {
                text.push(' ');
            }
        }
    }
}
