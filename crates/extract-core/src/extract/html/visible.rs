//! A page's visible text, read off the bytes beside the parser's pass.
//!
//! The parser would hand every text node to a handler, decoded and then
//! serialised again for its output: half of its time on real pages. The
//! visible text needs less than a parser: the bytes between tags, without
//! comments and without the bodies of the elements whose content is not
//! markup (`script`, `style`, `title`, `textarea`, `noscript`, …), one
//! text node a line, as the parser's text type `Data` gives them, without
//! the nodes that are only white space.
//! Entities are left as written (the caller decodes them), and the bytes
//! are decoded from the page's character set at the end.

use std::ops::Range;

use memchr::memchr;

/// Elements whose content is not markup (the tokenizer's RCDATA, RAWTEXT,
/// script data and PLAINTEXT states, as the parser has them): the text of
/// all but `plaintext`, which runs to the end of the page, is not shown
/// as such.
const NOT_MARKUP: [&[u8]; 10] = [
    b"plaintext",
    b"script",
    b"style",
    b"title",
    b"textarea",
    b"noscript",
    b"iframe",
    b"xmp",
    b"noembed",
    b"noframes",
];

/// A page's visible text.
#[derive(Debug, Default)]
pub(super) struct Text {
    /// The text nodes, each followed by a line break.
    pub(super) all: Vec<u8>,
    /// Where in `all` the text of the page's short links is (up to
    /// [`SHORT_LINK_BYTES`] each, [`NAV_BYTES`] in all), in order: the
    /// navigation, which is also read from the links themselves.
    pub(super) links: Vec<Range<usize>>,
    /// Some nodes were left out for the limit.
    pub(super) truncated: bool,
}

/// The longest link text read as navigation (see `PageFacts::nav_text`).
pub(crate) const SHORT_LINK_BYTES: usize = 60;
/// How much of the links' text is read as navigation.
pub(crate) const NAV_BYTES: usize = 3072;

/// The text nodes of `html`, each followed by a line break, up to `max`
/// bytes.
pub(super) fn text_nodes(html: &[u8], max: usize) -> Text {
    let mut text = Text {
        all: Vec::with_capacity(html.len().min(max) / 4),
        ..Text::default()
    };
    let push = |node: &[u8], text: &mut Text| {
        // White space between tags (the indentation of the markup) is half
        // of a real page's text bytes and says nothing: left out, the line
        // break after the node before stands for it.
        if node.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if text.all.len() + node.len() < max {
            text.all.extend_from_slice(node);
            text.all.push(b'\n');
        } else {
            text.truncated = true;
        }
    };
    // Where the open link's text starts in `all`, and how much short
    // links' text has been noted.
    let mut link: Option<usize> = None;
    let mut nav_bytes = 0;
    let mut end_link = |link: &mut Option<usize>, text: &mut Text| {
        if let Some(start) = link.take() {
            let own = &text.all[start..];
            let len = own.len() - own.iter().filter(|&&b| b == b'\n').count();
            if len > 0 && len <= SHORT_LINK_BYTES && nav_bytes + len <= NAV_BYTES {
                nav_bytes += len;
                text.links.push(start..text.all.len());
            }
        }
    };
    let mut node_start = 0;
    let mut at = 0;
    while let Some(lt) = memchr(b'<', &html[at..]).map(|i| at + i) {
        let Some(found) = markup(html, lt) else {
            // A `<` that starts nothing is text.
            at = lt + 1;
            continue;
        };
        push(&html[node_start..lt], &mut text);
        at = found.end;
        // Links do not nest: the parser closes one at the next's start.
        if let Some(open) = found.link {
            end_link(&mut link, &mut text);
            if open {
                link = Some(text.all.len());
            }
        }
        if let Some(name) = found.raw {
            if name == b"plaintext" {
                push(&html[at..], &mut text);
                at = html.len();
            } else {
                at = close_of(html, at, name);
            }
        }
        node_start = at;
        if at >= html.len() {
            break;
        }
    }
    if node_start < html.len() {
        push(&html[node_start..], &mut text);
    }
    end_link(&mut link, &mut text);
    text
}

/// A piece of markup.
struct Markup {
    /// Just past its end.
    end: usize,
    /// The name of the element it starts when that element's content is
    /// not markup.
    raw: Option<&'static [u8]>,
    /// `Some(true)` for a link's start tag, `Some(false)` for its end tag.
    link: Option<bool>,
}

/// The markup that starts at `lt` (a `<`); `None` when the `<` starts
/// none.
fn markup(html: &[u8], lt: usize) -> Option<Markup> {
    let rest = &html[lt + 1..];
    let other = |end: usize| Markup {
        end,
        raw: None,
        link: None,
    };
    let name_len = |from: &[u8]| {
        from.iter()
            .position(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>')
            .unwrap_or(from.len())
    };
    match *rest.first()? {
        b'!' => {
            if rest.starts_with(b"!--") {
                // "<!-->" and "<!--->" end at once, as browsers read them.
                let body = &html[lt + 4..];
                if body.starts_with(b">") {
                    return Some(other(lt + 5));
                }
                if body.starts_with(b"->") {
                    return Some(other(lt + 6));
                }
                let end = memchr::memmem::find(body, b"-->").map_or(html.len(), |i| lt + 4 + i + 3);
                return Some(other(end));
            }
            // A doctype, a CDATA section or a bogus comment: to the next `>`.
            Some(other(past(html, lt, b'>')))
        }
        b'?' => Some(other(past(html, lt, b'>'))),
        b'/' => match rest.get(1) {
            Some(b) if b.is_ascii_alphabetic() => {
                let name = &rest[1..1 + name_len(&rest[1..])];
                Some(Markup {
                    link: name.eq_ignore_ascii_case(b"a").then_some(false),
                    ..other(tag_end(html, lt + 2))
                })
            }
            Some(b'>') => Some(other(lt + 3)),
            Some(_) => Some(other(past(html, lt, b'>'))),
            None => None,
        },
        b if b.is_ascii_alphabetic() => {
            let name = &rest[..name_len(rest)];
            let end = tag_end(html, lt + 1 + name.len());
            let raw = NOT_MARKUP
                .iter()
                .find(|n| n.eq_ignore_ascii_case(name))
                .copied();
            Some(Markup {
                end,
                raw,
                link: name.eq_ignore_ascii_case(b"a").then_some(true),
            })
        }
        _ => None,
    }
}

/// Just past the first `byte` after `from`, or the end.
fn past(html: &[u8], from: usize, byte: u8) -> usize {
    memchr(byte, &html[from..]).map_or(html.len(), |i| from + i + 1)
}

/// Just past the `>` that ends a tag whose attributes start at `from`; a
/// `>` inside a quoted attribute value does not. Attribute names and
/// short values are stepped over a byte at a time (a search call costs more
/// than the few bytes it would skip); a quoted value is searched to its end.
fn tag_end(html: &[u8], from: usize) -> usize {
    let mut after_eq = false;
    let mut i = from;
    while let Some(&b) = html.get(i) {
        match b {
            b'>' => return i + 1,
            b'=' => after_eq = true,
            // A quote opens a value only after `=`.
            b'"' | b'\'' if after_eq => {
                i = past(html, i + 1, b);
                after_eq = false;
                continue;
            }
            b if b.is_ascii_whitespace() => {}
            _ => after_eq = false,
        }
        i += 1;
    }
    html.len()
}

/// Just past the end tag `</name…>` that closes content starting at
/// `from`, or the end of the page.
fn close_of(html: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(i) = memchr::memmem::find(&html[at..], b"</") {
        let start = at + i + 2;
        let after = start + name.len();
        if html.len() >= after
            && html[start..after].eq_ignore_ascii_case(name)
            && html
                .get(after)
                .is_none_or(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        {
            return tag_end(html, after);
        }
        at = start;
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::{text_nodes, NAV_BYTES};

    fn text(html: &str) -> String {
        String::from_utf8(text_nodes(html.as_bytes(), 1 << 20).all).unwrap()
    }

    #[test]
    fn text_nodes_one_a_line_without_tags_comments_or_scripts() {
        assert_eq!(
            text("<html><head><title>T</title><style>p{}</style></head><body><p class=\"a>b\">Hello <b>big</b> world</p><!-- c --><script>x='</p>'</script ><p>a < b &amp; c</p></body></html>"),
            "Hello \nbig\n world\na < b &amp; c\n"
        );
    }

    #[test]
    fn nodes_of_white_space_alone_are_left_out() {
        assert_eq!(
            text("<ul>\n  <li>HRB</li>\n  <li> 12345 </li>\n</ul>\n"),
            "HRB\n 12345 \n"
        );
    }

    #[test]
    fn content_that_is_not_markup_is_left_out_to_its_own_end_tag() {
        assert_eq!(
            text("<textarea><b>x</b></textarea>1<NOSCRIPT><img></NoScript>2<iframe>3</iframe >4"),
            "1\n2\n4\n"
        );
        // `</scripts>` does not end a script; an unclosed one runs to the end.
        assert_eq!(text("<script>a</scripts>b</script>c"), "c\n");
        assert_eq!(text("a<script>never closed"), "a\n");
        // An element named like one is another element.
        assert_eq!(text("<scripts>a</scripts><style-x>b</style-x>"), "a\nb\n");
    }

    #[test]
    fn odd_markup_is_read_as_browsers_read_it() {
        assert_eq!(
            text("a<!-->b<!--->c<!doctype html>d<?xml ?>e</>f</ x>g"),
            "a\nb\nc\nd\ne\nf\ng\n"
        );
        // A quote inside an unquoted value does not open a value.
        assert_eq!(text("<a href=it's>x</a>y"), "x\ny\n");
        // A tag that never ends swallows the rest, as an unclosed comment does.
        assert_eq!(text("a<p class=\"x>b"), "a\n");
        assert_eq!(text("a<!-- b"), "a\n");
        assert_eq!(text("a <"), "a <\n");
    }

    #[test]
    fn text_stops_at_the_limit_and_says_so() {
        let t = text_nodes(b"<p>aaaa</p><p>bbbb</p>", 7);
        assert_eq!((t.all.as_slice(), t.truncated), (b"aaaa\n" as &[u8], true));
        assert!(!text_nodes(b"<p>aaaa</p>", 100).truncated);
    }

    #[test]
    fn the_text_of_short_links_is_noted() {
        let long = "Read how we bake the bread of the whole town every morning since 1890";
        let html = format!(
            "<nav><A HREF=/>Home</a><a href=/x><b>Shop</b> now</A></nav><p>We bake <a>bread</a>.</p><abbr>x</abbr><a>open<a>next</a>end<a>{long}</a><a> </a>"
        );
        let t = text_nodes(html.as_bytes(), 1 << 20);
        let all = String::from_utf8(t.all).unwrap();
        assert_eq!(
            all,
            format!("Home\nShop\n now\nWe bake \nbread\n.\nx\nopen\nnext\nend\n{long}\n")
        );
        // A long link's text (a teaser, a headline) is no navigation.
        let links: Vec<&str> = t.links.into_iter().map(|r| &all[r]).collect();
        assert_eq!(
            links,
            ["Home\n", "Shop\n now\n", "bread\n", "open\n", "next\n"]
        );
        // Up to a few kilobytes of them, as the navigation is read.
        let many = "<a>twelve bytes</a>".repeat(1000);
        let t = text_nodes(many.as_bytes(), 1 << 20);
        assert_eq!(t.links.len(), NAV_BYTES / 12);
    }
}
