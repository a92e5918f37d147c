//! The industry classifier: a company's LinkedIn industry and NAICS code
//! from its own words.
//!
//! The words are `data/industries.toml`: phrases in six languages, each
//! naming an industry, or goods a company may make, sell or trade, or the
//! role words that tell which of the three it does. A page's sources vote
//! with their weights: what the site says of itself (its name, an
//! organisation's description, its navigation, header and footer) counts
//! more than what an article or a recipe page says of its topic. The
//! answer is the industry with the most of the vote, its own and its
//! kin's (a LinkedIn parent and child, NAICS codes of one group), when it
//! has enough and clearly more than the next; else nothing, with the
//! leaning in `alternatives`. Deterministic, one Aho-Corasick pass per
//! source.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use crate::extract::{collapse_ws, PageFacts};
use crate::taxonomy;
use crate::{Industry, IndustryAlternative, IndustryLinkedin, IndustryNaics, Method};

/// What the classifier reads, with how much each source weighs.
#[derive(Debug, Default, Clone)]
pub struct Words<'a> {
    /// `(source, text, weight)`: source names the evidence (`description`,
    /// `nav`, …). A `text` right after a `nav` is the same page's: a phrase
    /// found in both counts once.
    pub texts: Vec<(&'static str, &'a str, f32)>,
    /// schema.org types of the organisations described (`Dentist`, `Winery`).
    pub schema_types: Vec<&'a str>,
    /// schema.org types of what the pages offer (`SoftwareApplication`,
    /// `Course`): they say a trade too, less surely than the organisation's.
    pub offer_types: Vec<&'a str>,
}

impl<'a> Words<'a> {
    /// The words of a company's pages (home page first): names, descriptions,
    /// keywords, titles, the text's header and footer, and each page's
    /// navigation as [`PageFacts::nav_text`] gave it (`navs[i]` for `pages[i]`).
    pub fn of_pages(pages: &'a [PageFacts], navs: &'a [String]) -> Words<'a> {
        let mut w = Words::default();
        // The same text said twice (`description` and `og:description`) counts once.
        let push = |w: &mut Words<'a>, source: &'static str, text: &'a str, weight: f32| {
            if !w.texts.iter().any(|(s, t, _)| *s == source && *t == text) {
                w.texts.push((source, text, weight));
            }
        };
        for (p, nav) in pages
            .iter()
            .zip(navs.iter().map(String::as_str).chain(std::iter::repeat("")))
        {
            // An article, a post or a recipe speaks of its topic in its
            // title and description; the site speaks of the company.
            let topic = if p.topic_page { 0.3 } else { 1.0 };
            for n in p.names.iter().chain(&p.site_names).chain(&p.legal_names) {
                push(&mut w, "name", &n.value, 2.0);
            }
            push(&mut w, "title", &p.title, 1.5 * topic);
            for d in &p.descriptions {
                let own = if d.source.method == Method::JsonLd {
                    1.0
                } else {
                    topic
                };
                push(&mut w, "description", &d.value, 3.0 * own);
            }
            for i in &p.industries {
                push(&mut w, "industry", i, 3.0);
            }
            for k in &p.keywords {
                push(&mut w, "keywords", k, topic);
            }
            push(&mut w, "nav", nav, 1.2);
            push(&mut w, "text", &p.text_edges, 0.6);
            w.schema_types
                .extend(p.schema_types.iter().map(String::as_str));
        }
        w
    }
}

/// Classifies the words. `None` only when no word of any industry was read;
/// an [`Industry`] without `linkedin` is an abstention with its leaning.
///
/// ```
/// use extract_core::industry::{classify, Words};
/// let words = Words {
///     texts: vec![("description", "Zahnarztpraxis Dr. Muster: Implantate und Prophylaxe", 3.0)],
///     ..Words::default()
/// };
/// let (industry, confidence) = classify(&words).unwrap();
/// assert_eq!(industry.linkedin.unwrap().name, "Dentists");
/// assert_eq!(industry.naics.unwrap().code, "621210");
/// assert!(confidence > 0.3);
/// ```
pub fn classify(words: &Words<'_>) -> Option<(Industry, f32)> {
    let c = &*CLASSIFIER;
    let mut votes = Votes::default();
    // A page's navigation and its text say one thing: a word read in the
    // one is not read again in the other.
    let mut in_nav: Vec<usize> = Vec::new();
    for (source, text, weight) in &words.texts {
        if *weight <= 0.0 || text.is_empty() {
            continue;
        }
        let lower = normalise(text);
        let hits = c.hits(&lower);
        match *source {
            "nav" => in_nav.clone_from(&hits),
            "text" => {}
            _ => in_nav.clear(),
        }
        for t in hits {
            if *source == "text" && in_nav.contains(&t) {
                continue;
            }
            let term = &c.terms[t];
            let w = weight * term.weight;
            match term.target {
                Target::Class(i) => votes.add(c.classes[i], w, source, &term.text),
                Target::Goods(g) => {
                    let goods =
                        find_or_push(&mut votes.goods, |x| x.0 == g, || (g, 0.0, Vec::new()));
                    goods.1 += w;
                    goods.2.push((source, &term.text));
                }
                Target::Role(r) => votes.roles[r as usize] += w,
            }
        }
    }
    for (types, weight) in [(&words.schema_types, 6.0), (&words.offer_types, 3.0)] {
        for t in types {
            if let Some((id, code)) = taxonomy::schema_type(t) {
                votes.add((id, code), weight, "schema.org", t);
            }
        }
    }
    for (g, score, evidence) in std::mem::take(&mut votes.goods) {
        let goods = &c.goods[g];
        let role = votes.role().unwrap_or(goods.default);
        let pair = match role {
            Role::Make => goods.make,
            Role::SellOnline => (ONLINE_RETAIL, goods.sell.1),
            Role::SellStore => goods.sell,
            Role::Wholesale => (WHOLESALE, "42"),
        };
        let vote = votes.entry(pair);
        vote.evidence.extend(evidence);
        vote.score += score;
        vote.from_goods += score;
    }
    votes.decide()
}

/// The industry of a company's pages, as a profile field's value and confidence.
pub fn of_pages(pages: &[PageFacts]) -> Option<(Industry, f32)> {
    let navs: Vec<String> = pages.iter().map(PageFacts::nav_text).collect();
    classify(&Words::of_pages(pages, &navs))
}

/// Every (LinkedIn id, NAICS code) pair the classifier can answer.
pub fn answers() -> Vec<(u32, &'static str)> {
    let c = &*CLASSIFIER;
    let mut all: Vec<(u32, &'static str)> = c.classes.clone();
    for g in &c.goods {
        all.extend([g.make, g.sell, (ONLINE_RETAIL, g.sell.1)]);
    }
    all.push((WHOLESALE, "42"));
    all.sort_unstable();
    all.dedup();
    all
}

/// Internet Publishing and Online Audio and Video Media: what a site may
/// do beside its trade.
const CONTENT: [u32; 2] = [3132, 113];
/// Online and Mail Order Retail.
const ONLINE_RETAIL: u32 = 1445;
/// Wholesale.
const WHOLESALE: u32 = 133;
/// The least vote an answer needs: one strong phrase in a description, or
/// two weaker ones in different places.
const MIN_SCORE: f32 = 3.0;
/// How far ahead of the next industry the answer must be.
const MIN_LEAD: f32 = 1.3;
/// Less said is enough when nothing else is said: the least vote of an
/// answer three times the next industry's (two phrases in the site's
/// navigation, or a name and a title saying one trade).
const MIN_SCORE_ALONE: f32 = 2.0;
const LEAD_ALONE: f32 = 3.0;

/// A phrase and the source it was read in.
type Said<'a> = (&'static str, &'a str);

/// The vote so far: a handful of industries a page, kept in a list.
#[derive(Default)]
struct Votes<'a> {
    all: Vec<Vote<'a>>,
    /// Goods words' score and evidence, before the role decides whose industry.
    goods: Vec<(usize, f32, Vec<Said<'a>>)>,
    roles: [f32; 4],
}

/// One industry's vote; evidence is kept as (source, phrase) and written
/// out for the answer only.
struct Vote<'a> {
    pair: (u32, &'static str),
    score: f32,
    /// The part of the score that came from goods words.
    from_goods: f32,
    evidence: Vec<Said<'a>>,
}

impl<'a> Votes<'a> {
    fn entry(&mut self, pair: (u32, &'static str)) -> &mut Vote<'a> {
        find_or_push(
            &mut self.all,
            |v| v.pair == pair,
            || Vote {
                pair,
                score: 0.0,
                from_goods: 0.0,
                evidence: Vec::new(),
            },
        )
    }

    fn add(&mut self, pair: (u32, &'static str), w: f32, source: &'static str, term: &'a str) {
        let vote = self.entry(pair);
        vote.score += w;
        if !vote.evidence.contains(&(source, term)) {
            vote.evidence.push((source, term));
        }
    }

    /// The role the words give, if any.
    fn role(&self) -> Option<Role> {
        let (at, best) = self
            .roles
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))?;
        (*best > 0.0).then(|| Role::ALL[at])
    }

    fn decide(mut self) -> Option<(Industry, f32)> {
        // Every brand publishes recipes, articles and videos: a site that
        // also makes, sells or serves something is that, not a publisher.
        // Goods words are not counted here: a recipe names its goods too.
        let trade: f32 = self
            .all
            .iter()
            .filter(|v| !CONTENT.contains(&v.pair.0))
            .map(|v| v.score - v.from_goods)
            .fold(0.0, f32::max);
        if trade >= MIN_SCORE {
            for v in &mut self.all {
                if CONTENT.contains(&v.pair.0) {
                    v.score *= 0.5;
                }
            }
        }
        let all = &self.all;
        let n = all.len();
        // Words for one industry at two depths (a LinkedIn parent and child,
        // NAICS codes of one group) all say that industry: each answer
        // counts its own vote and its kin's.
        let parent: Vec<Option<u32>> = all
            .iter()
            .map(|v| taxonomy::linkedin(v.pair.0).and_then(|i| i.parent))
            .collect();
        let kin = |i: usize, j: usize| kin(all[i].pair, parent[i], all[j].pair, parent[j]);
        let related = |i: usize, j: usize| all[i].pair.0 == all[j].pair.0 || kin(i, j);
        let mut ranked: Vec<(usize, f32)> = (0..n)
            .map(|i| {
                let kin_votes: f32 = (0..n)
                    .filter(|&j| j != i && kin(i, j))
                    .map(|j| all[j].score)
                    .sum();
                (i, all[i].score + kin_votes)
            })
            .collect();
        // Highest first; ties to the larger own vote, the more specific
        // code, then the lower id.
        ranked.sort_by(|a, b| {
            let (va, vb) = (&all[a.0], &all[b.0]);
            b.1.total_cmp(&a.1)
                .then(vb.score.total_cmp(&va.score))
                .then(vb.pair.1.len().cmp(&va.pair.1.len()))
                .then(va.pair.cmp(&vb.pair))
        });
        let &(top, score) = ranked.first()?;
        let mut own: Vec<f32> = all.iter().map(|v| v.score).collect();
        own.sort_by(|a, b| b.total_cmp(a));
        let total: f32 = own.iter().take(4).sum::<f32>().max(score);
        let second = ranked
            .iter()
            .skip(1)
            .find(|r| !related(r.0, top))
            .map_or(0.0, |r| r.1);
        let sure = (score >= MIN_SCORE && score >= MIN_LEAD * second)
            || (score >= MIN_SCORE_ALONE && score >= LEAD_ALONE * second);
        let alternatives: Vec<IndustryAlternative> = ranked
            .iter()
            .skip(usize::from(sure))
            .take(3)
            .filter_map(|&(i, s)| {
                let (linkedin, naics) = refs(all[i].pair)?;
                Some(IndustryAlternative {
                    linkedin,
                    naics,
                    share: round2(s / total),
                })
            })
            .collect();
        let mut industry = Industry {
            alternatives,
            ..Industry::default()
        };
        if !sure {
            return Some((industry, 0.0));
        }
        // Its kin, most said first.
        let mut kin_of_top: Vec<usize> = (0..n).filter(|&j| j != top && kin(j, top)).collect();
        kin_of_top.sort_by(|&a, &b| all[b].score.total_cmp(&all[a].score));
        // An answer said mostly by its narrower kin (bakery and chocolate
        // words for Food Manufacturing) takes the NAICS group they share.
        let top_pair = all[top].pair;
        let code = kin_of_top
            .first()
            .filter(|&&j| all[j].score > all[top].score)
            .and_then(|&j| shared_group(all[j].pair.1, top_pair.1))
            .unwrap_or(top_pair.1);
        let (linkedin, naics) = refs((top_pair.0, code))?;
        industry.sector = taxonomy::naics_sector(&naics.code).map(str::to_owned);
        industry.label = industry
            .sector
            .as_deref()
            .and_then(taxonomy::naics_title)
            .map(str::to_owned);
        industry.linkedin = Some(linkedin);
        industry.naics = Some(naics);
        // The answer's own words first, then its kin's.
        let mut evidence: Vec<Said<'_>> = Vec::new();
        for i in std::iter::once(top).chain(kin_of_top) {
            for e in &all[i].evidence {
                if !evidence.contains(e) {
                    evidence.push(*e);
                }
            }
        }
        industry.evidence = evidence
            .into_iter()
            .take(8)
            .map(|(source, term)| format!("{source}: {term}"))
            .collect();
        // Share of the vote, tempered by how much was said at all; never
        // near-certain: words describe, they do not register a trade.
        let share = score / total;
        let confidence = (share * score / (score + 3.0)).clamp(0.05, 0.75);
        Some((industry, confidence))
    }
}

/// The item of `list` that `is`, pushed as `new()` if none is: a page's
/// handful of votes are searched in place rather than hashed.
fn find_or_push<T>(list: &mut Vec<T>, is: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> &mut T {
    let at = match list.iter().position(is) {
        Some(at) => at,
        None => {
            list.push(new());
            list.len() - 1
        }
    };
    &mut list[at]
}

/// The longest NAICS code both codes start with, of at least two digits,
/// as the shipped table spells it.
fn shared_group(a: &str, b: &str) -> Option<&'static str> {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    (2..=common)
        .rev()
        .find_map(|n| taxonomy::naics_code(&a[..n]))
}

/// Two answers that are one industry at two depths (each with its LinkedIn
/// parent): a LinkedIn parent and child, or NAICS codes of one 4-digit
/// group. (One LinkedIn industry for unrelated NAICS codes, Online Retail
/// of coffee and of books, is the same answer but not more said of it:
/// those votes do not add up.)
fn kin(a: (u32, &str), a_parent: Option<u32>, b: (u32, &str), b_parent: Option<u32>) -> bool {
    a_parent == Some(b.0)
        || b_parent == Some(a.0)
        || (a.1.len() >= 4 && b.1.len() >= 4 && a.1[..4] == b.1[..4])
}

fn refs((id, code): (u32, &str)) -> Option<(IndustryLinkedin, IndustryNaics)> {
    let linkedin = taxonomy::linkedin(id)?;
    let title = taxonomy::naics_title(code)?;
    Some((
        IndustryLinkedin {
            id,
            name: linkedin.name.to_owned(),
        },
        IndustryNaics {
            code: code.to_owned(),
            title: title.to_owned(),
        },
    ))
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

/// The form the phrase search reads: lowercase, a space before every word
/// and after the last, and every sign that is neither a letter, a digit nor
/// white space a word of its own ("Müller’s (Café)" is " müller ' s ( café )
/// "), typographic apostrophes plain. Every phrase is spelled the same way
/// with its leading space, so a phrase found starts a word, and a space or
/// the end after it ends one: no character is decoded to tell.
fn normalise(s: &str) -> String {
    let bytes = s.as_bytes();
    let n = bytes.len();
    let mut out = String::with_capacity(n + n / 8 + 2);
    out.push(' ');
    let mut i = 0;
    while i < n {
        // Most of a text copies as it is, lowercased at the end: letters
        // and digits that are not uppercase beyond ASCII, and the single
        // spaces between them, one copy a run (a copy a byte or a word is a
        // good part slower).
        let start = i;
        // One table load and no branch a byte the processor cannot guess:
        // a space ends a run only after another.
        let mut after_space = u8::from(out.ends_with(' '));
        while i < n {
            let b = bytes[i];
            let space = u8::from(b == b' ');
            if RUN[usize::from(b)] && space & after_space == 0 {
                after_space = space;
                i += 1;
                continue;
            }
            if !b.is_ascii() {
                let c = s[i..].chars().next().expect("on a character boundary");
                if letter(c) && !c.is_uppercase() {
                    after_space = 0;
                    i += c.len_utf8();
                    continue;
                }
            }
            break;
        }
        if i > start {
            out.push_str(&s[start..i]);
            if i == n {
                break;
            }
        }
        let c = if bytes[i].is_ascii() {
            char::from(bytes[i])
        } else {
            s[i..].chars().next().expect("on a character boundary")
        };
        if letter(c) {
            out.extend(c.to_lowercase());
        } else {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            if !c.is_whitespace() && c != '\u{b}' {
                out.push(if matches!(c, '’' | '`' | '´') {
                    '\''
                } else {
                    c
                });
                out.push(' ');
            }
        }
        i += c.len_utf8();
    }
    out.make_ascii_lowercase();
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The bytes [`normalise`] copies as they are: ASCII letters, digits and
/// the space.
const RUN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b' ' as usize;
        b += 1;
    }
    table
};

/// A letter or a digit: the Latin letters of Western European languages and
/// the general punctuation told without the Unicode tables' search.
fn letter(c: char) -> bool {
    if ('\u{c0}'..='\u{24f}').contains(&c) {
        c != '×' && c != '÷'
    } else if ('\u{2000}'..='\u{206f}').contains(&c) {
        // Dashes, quotes, bullets and spaces of the general punctuation.
        false
    } else {
        c.is_alphanumeric()
    }
}

// ---------------------------------------------------------------- data

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Make,
    SellOnline,
    SellStore,
    Wholesale,
}

impl Role {
    const ALL: [Role; 4] = [
        Role::Make,
        Role::SellOnline,
        Role::SellStore,
        Role::Wholesale,
    ];
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Class(usize),
    Goods(usize),
    Role(Role),
}

/// Where a term may sit in a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Whole,
    Prefix,
    Suffix,
}

struct Term {
    text: String,
    anchor: Anchor,
    weight: f32,
    target: Target,
}

struct Goods {
    make: (u32, &'static str),
    sell: (u32, &'static str),
    default: Role,
}

struct Classifier {
    classes: Vec<(u32, &'static str)>,
    goods: Vec<Goods>,
    terms: Vec<Term>,
    /// Pattern id → the terms spelled so.
    by_pattern: Vec<Vec<usize>>,
    automaton: AhoCorasick,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    roles: RolesSpec,
    goods: Vec<GoodsSpec>,
    class: Vec<ClassSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesSpec {
    sell_online: Vec<String>,
    sell_store: Vec<String>,
    make: Vec<String>,
    wholesale: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoodsSpec {
    #[allow(dead_code)]
    name: String,
    terms: Vec<String>,
    make: (u32, String),
    sell: (u32, String),
    default: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassSpec {
    linkedin: u32,
    naics: String,
    terms: Vec<String>,
}

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| {
    Classifier::new(include_str!("../data/industries.toml"))
        .expect("data/industries.toml is valid (checked by a test)")
});

/// A NAICS code of the file as the shipped table spells it (a `'static`
/// string), or an error naming it when the table has no such code.
fn naics(code: &str) -> Result<&'static str, String> {
    taxonomy::naics_code(code)
        .ok_or_else(|| format!("NAICS code {code:?} is not in data/naics_2022.tsv"))
}

impl Classifier {
    fn new(text: &str) -> Result<Classifier, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut terms = Vec::new();
        let mut push = |spec: &str, target: Target| -> Result<(), String> {
            let (body, weight) = match spec.rsplit_once('=') {
                Some((b, w)) => (b, w.parse::<f32>().map_err(|e| format!("{spec}: {e}"))?),
                None => (spec, 1.0),
            };
            let (anchor, body) = if let Some(b) = body.strip_suffix('*') {
                (Anchor::Prefix, b)
            } else if let Some(b) = body.strip_prefix('*') {
                (Anchor::Suffix, b)
            } else {
                (Anchor::Whole, body)
            };
            if body.is_empty()
                || body != collapse_ws(body)
                || body
                    .chars()
                    .any(|c| c.is_uppercase() || matches!(c, '’' | '`' | '´'))
            {
                return Err(format!(
                    "term {spec:?} must be lowercase, trimmed, one space between words"
                ));
            }
            terms.push(Term {
                text: body.to_owned(),
                anchor,
                weight,
                target,
            });
            Ok(())
        };
        for (list, role) in [
            (&file.roles.make, Role::Make),
            (&file.roles.sell_online, Role::SellOnline),
            (&file.roles.sell_store, Role::SellStore),
            (&file.roles.wholesale, Role::Wholesale),
        ] {
            for t in list {
                push(t, Target::Role(role))?;
            }
        }
        let mut goods = Vec::new();
        for (i, g) in file.goods.iter().enumerate() {
            for t in &g.terms {
                push(t, Target::Goods(i))?;
            }
            let default = match g.default.as_str() {
                "make" => Role::Make,
                "sell" => Role::SellStore,
                other => {
                    return Err(format!(
                        "goods {}: default {other:?} is make or sell",
                        g.name
                    ))
                }
            };
            goods.push(Goods {
                make: (g.make.0, naics(&g.make.1)?),
                sell: (g.sell.0, naics(&g.sell.1)?),
                default,
            });
        }
        let mut classes = Vec::new();
        for (i, c) in file.class.iter().enumerate() {
            for t in &c.terms {
                push(t, Target::Class(i))?;
            }
            classes.push((c.linkedin, naics(&c.naics)?));
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut by_pattern: Vec<Vec<usize>> = Vec::new();
        for (t, term) in terms.iter().enumerate() {
            // Spelled as the text is read (see `normalise`): with the space
            // before its first word, but for a term that may end a word.
            let spelled = normalise(&term.text);
            let spelled = match term.anchor {
                Anchor::Suffix => spelled.trim(),
                Anchor::Whole | Anchor::Prefix => spelled.trim_end(),
            };
            let id = *ids.entry(spelled.to_owned()).or_insert_with(|| {
                patterns.push(spelled.to_owned());
                by_pattern.push(Vec::new());
                patterns.len() - 1
            });
            by_pattern[id].push(t);
        }
        // A DFA: a few megabytes, built once, and several times the speed
        // of the default NFA on the overlapping search every text gets.
        // Without a prefilter: nearly every phrase starts with a space,
        // and a search for the next space at every word costs more than
        // the automaton's own step (measured).
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .prefilter(false)
            .build(&patterns)
            .map_err(|e| e.to_string())?;
        Ok(Classifier {
            classes,
            goods,
            terms,
            by_pattern,
            automaton,
        })
    }

    /// The terms found in `lower` (as [`normalise`] gives it), each once,
    /// but for those inside a longer phrase of another target.
    fn hits(&self, lower: &str) -> Vec<usize> {
        let bytes = lower.as_bytes();
        // Every phrase found: (term, where it starts, where the word it
        // ends in ends).
        let mut seen: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.automaton.find_overlapping_iter(lower) {
            // A phrase found starts a word (its pattern starts with the
            // space before it) but for a suffix; the text ends in a space.
            let ends_word = bytes.get(m.end()).is_none_or(|&b| b == b' ');
            let word_end =
                memchr::memchr(b' ', &bytes[m.end()..]).map_or(bytes.len(), |i| m.end() + i);
            for &t in &self.by_pattern[m.pattern().as_usize()] {
                let ok = match self.terms[t].anchor {
                    Anchor::Whole | Anchor::Suffix => ends_word,
                    Anchor::Prefix => true,
                };
                if ok {
                    // Where the phrase's first word starts.
                    let start = m.start() + usize::from(bytes[m.start()] == b' ');
                    seen.push((t, start, word_end));
                }
            }
        }
        // One word is one mention: a phrase inside a longer one of another
        // industry ("app" in "Android app", "software" in "software su
        // misura") is that phrase's word, not a mention of its own; of two
        // over the same words, the longer term. Role words qualify goods:
        // they stay.
        let said = |t: usize| !matches!(self.terms[t].target, Target::Role(_));
        let inside = |&(t, start, end): &(usize, usize, usize)| {
            said(t)
                && seen.iter().any(|&(o, o_start, o_end)| {
                    said(o)
                        && !self.terms[o].target.same(self.terms[t].target)
                        && o_start <= start
                        && o_end >= end
                        && (o_end - o_start > end - start
                            || self.terms[o].text.len() > self.terms[t].text.len())
                })
        };
        // Each term once; of two terms of one target that end in the same
        // word ("hotel" and "*hotel" in "Hotel"), the heavier.
        let mut found: Vec<(usize, usize)> = Vec::new();
        for &(t, _, end) in seen.iter().filter(|s| !inside(s)) {
            if found.iter().any(|(f, _)| *f == t) {
                continue;
            }
            let same_word = found.iter().position(|(f, f_end)| {
                *f_end == end && self.terms[*f].target.same(self.terms[t].target)
            });
            match same_word {
                Some(at) if self.terms[found[at].0].weight >= self.terms[t].weight => {}
                Some(at) => found[at] = (t, end),
                None => found.push((t, end)),
            }
        }
        found.into_iter().map(|(t, _)| t).collect()
    }
}

impl Target {
    fn same(self, other: Target) -> bool {
        match (self, other) {
            (Target::Class(a), Target::Class(b)) | (Target::Goods(a), Target::Goods(b)) => a == b,
            (Target::Role(a), Target::Role(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
