//! HTML of the simulated company sites: realistic page chrome (navigation,
//! news, share buttons, analytics snippets) around the facts, written in the
//! company's style.

use std::fmt::Write;

use crate::world::{Company, Style};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes a string for a JSON string literal inside a `<script>`.
fn json_str(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".to_owned())
        .replace("</", "<\\/")
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The homepage of `c`.
pub(crate) fn homepage(c: &Company) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let name = esc(&c.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{name} | {}</title>\n",
        esc(&c.tagline)
    );
    match c.style {
        Style::JsonLd => {
            h.push_str(&jsonld(c));
            let _ = write!(
                h,
                "<meta property=\"og:site_name\" content=\"{name}\">\n<meta property=\"og:description\" content=\"{}\">\n",
                esc(&c.description)
            );
        }
        Style::Microdata | Style::FooterText => {
            let _ = writeln!(
                h,
                "<meta name=\"description\" content=\"{}\">",
                esc(&c.description)
            );
        }
        Style::OpenGraph => {
            let _ = write!(
                h,
                "<meta property=\"og:type\" content=\"website\">\n<meta property=\"og:site_name\" content=\"{name}\">\n<meta property=\"og:title\" content=\"{name} | {tag}\">\n<meta property=\"og:description\" content=\"{desc}\">\n<meta property=\"og:url\" content=\"https://{host}/\">\n<meta property=\"og:image\" content=\"https://{host}/assets/hero.jpg\">\n<meta name=\"twitter:card\" content=\"summary_large_image\">\n<link rel=\"apple-touch-icon\" href=\"/apple-touch-icon.png\">\n",
                tag = esc(&c.tagline),
                desc = esc(&c.description),
                host = c.host
            );
        }
    }
    h.push_str("<link rel=\"icon\" href=\"/favicon.ico\">\n<link rel=\"stylesheet\" href=\"/assets/site.css\">\n");
    h.push_str("<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); var support = {email: 'noreply@tracking.invalid'};</script>\n");
    h.push_str("</head>\n<body>\n");
    let _ = write!(
        h,
        "<header class=\"site-header\"><a href=\"/\" class=\"brand\"><img src=\"/assets/logo.png\" alt=\"{name} logo\" width=\"120\" height=\"40\"></a>\n<nav><ul><li><a href=\"/about\">About us</a></li><li><a href=\"/contact\">Contact</a></li><li><a href=\"/careers\">Careers</a></li><li><a href=\"/investors\">Investors</a></li><li><a href=\"/news\">Newsroom</a></li></ul></nav></header>\n"
    );
    let _ = write!(
        h,
        "<main>\n<section class=\"hero\"><h1>{}</h1><p>{}</p><a class=\"button\" href=\"/products\">Explore our products</a></section>\n",
        esc(&c.tagline),
        esc(&c.description)
    );
    h.push_str("<section class=\"news\"><h2>Latest news</h2><ul>\n");
    for (i, (month, title)) in [
        ("May 16, 2024", "reports first-quarter results"),
        ("April 2, 2024", "announces new sustainability goals"),
        ("March 11, 2024", "opens innovation center"),
    ]
    .iter()
    .enumerate()
    {
        let _ = writeln!(
            h,
            "<li><time datetime=\"2024-0{}-01\">{month}</time> <a href=\"/news/{}\">{name} {title}</a></li>",
            5 - i,
            i + 1
        );
    }
    h.push_str("</ul><p>Serving more than 40 markets with over 1,200 locations. Order status line: 100-200-3000.</p></section>\n");
    let _ = write!(
        h,
        "<section class=\"share\">Share: <a href=\"https://twitter.com/intent/tweet?url=https%3A%2F%2F{host}%2F\">Tweet</a> <a href=\"https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2F{host}%2F\">Share</a> <a href=\"https://www.linkedin.com/shareArticle?mini=true&amp;url=https%3A%2F%2F{host}%2F\">Post</a></section>\n</main>\n",
        host = c.host
    );
    h.push_str(&footer(c));
    h.push_str("</body>\n</html>\n");
    h
}

fn social_links(c: &Company) -> String {
    let mut s = String::from("<ul class=\"social\">");
    for (network, url) in &c.social {
        let _ = write!(s, "<li><a href=\"{}\" aria-label=\"{network}\"><svg width=\"16\" height=\"16\"></svg></a></li>", esc(url));
    }
    s.push_str("</ul>\n");
    s
}

fn footer(c: &Company) -> String {
    let name = esc(&c.name);
    let mut f = String::from("<footer class=\"site-footer\">\n");
    match c.style {
        Style::JsonLd => {
            f.push_str(&social_links(c));
        }
        Style::Microdata => {
            let _ = write!(
                f,
                "<div itemscope itemtype=\"https://schema.org/Organization\">\n<meta itemprop=\"name\" content=\"{name}\">\n<img itemprop=\"logo\" src=\"/assets/logo.png\" alt=\"\">\n<p itemprop=\"description\">{desc}</p>\n<meta itemprop=\"foundingDate\" content=\"{founded}\">\n<div itemprop=\"address\" itemscope itemtype=\"https://schema.org/PostalAddress\"><span itemprop=\"streetAddress\">{street}</span>, <span itemprop=\"addressLocality\">{city}</span>, <span itemprop=\"addressRegion\">{region}</span> <span itemprop=\"postalCode\">{postal}</span></div>\n<p>Phone: <span itemprop=\"telephone\">{phone}</span> · Email: <a itemprop=\"email\" href=\"mailto:{email}\">{email}</a></p>\n<ul class=\"social\">",
                desc = esc(&c.description),
                founded = c.founded,
                street = esc(&c.street),
                city = esc(&c.city),
                region = esc(&c.region),
                postal = c.postal_code,
                phone = esc(&c.phone),
                email = esc(&c.email),
            );
            for (network, url) in &c.social {
                let _ = write!(
                    f,
                    "<li><a itemprop=\"sameAs\" href=\"{}\">{network}</a></li>",
                    esc(url)
                );
            }
            f.push_str("</ul>\n</div>\n");
        }
        Style::OpenGraph => {
            f.push_str(&social_links(c));
            let _ = writeln!(
                f,
                "<p><a href=\"mailto:{}\">Contact us</a></p>",
                esc(&c.email)
            );
        }
        Style::FooterText => {
            f.push_str(&social_links(c));
            let _ = write!(
                f,
                "<p>Founded in {founded}, {name} today counts {emp} employees.</p>\n<address>{name} · {street}, {city}, {region} {postal}<br>Phone: {phone} · Email: {email}</address>\n",
                founded = c.founded,
                emp = thousands(c.employees),
                street = esc(&c.street),
                city = esc(&c.city),
                region = esc(&c.region),
                postal = c.postal_code,
                phone = esc(&c.phone),
                email = esc(&c.email),
            );
        }
    }
    let _ = write!(
        f,
        "<p class=\"legal\">© 2024 {name}. All rights reserved. <a href=\"/privacy\">Privacy</a> · <a href=\"/terms\">Terms</a> · <a href=\"/sitemap.xml\">Sitemap</a></p>\n</footer>\n"
    );
    f
}

/// The JSON-LD block, in one of three shapes real sites use.
fn jsonld(c: &Company) -> String {
    let org_type = match c.sector.as_str() {
        "Retailing" | "Food & Drug Stores" => "Corporation",
        "Health Care" => "MedicalOrganization",
        "Hotels, Restaurants & Leisure" => "Organization",
        _ if c.index.is_multiple_of(3) => "Corporation",
        _ => "Organization",
    };
    let same_as: Vec<String> = c.social.iter().map(|(_, u)| json_str(u)).collect();
    let org = format!(
        r#"{{"@type":"{org_type}","@id":"https://{host}/#organization","name":{name},"url":"https://{host}/","logo":{{"@type":"ImageObject","url":"https://{host}/assets/logo.png","width":240,"height":80}},"description":{desc},"foundingDate":"{founded}","numberOfEmployees":{{"@type":"QuantitativeValue","value":{emp}}},"address":{{"@type":"PostalAddress","streetAddress":{street},"addressLocality":{city},"addressRegion":"{region}","postalCode":"{postal}","addressCountry":"US"}},"contactPoint":{{"@type":"ContactPoint","telephone":{phone},"email":{email},"contactType":"customer service"}},"sameAs":[{same_as}]}}"#,
        host = c.host,
        name = json_str(&c.name),
        desc = json_str(&c.description),
        founded = c.founded,
        emp = c.employees,
        street = json_str(&c.street),
        city = json_str(&c.city),
        region = c.region,
        postal = c.postal_code,
        phone = json_str(&c.phone),
        email = json_str(&c.email),
        same_as = same_as.join(","),
    );
    let website = format!(
        r#"{{"@type":"WebSite","@id":"https://{host}/#website","url":"https://{host}/","name":{name},"publisher":{{"@id":"https://{host}/#organization"}},"potentialAction":{{"@type":"SearchAction","target":"https://{host}/search?q={{search_term_string}}","query-input":"required name=search_term_string"}}}}"#,
        host = c.host,
        name = json_str(&c.name)
    );
    let body = match c.index % 3 {
        0 => format!(r#"{{"@context":"https://schema.org","@graph":[{website},{org}]}}"#),
        1 => format!(r#"{{"@context":"https://schema.org",{}"#, &org[1..]),
        _ => format!(
            r#"[{{"@context":"https://schema.org",{}, {{"@context":"https://schema.org",{}]"#,
            &website[1..],
            &org[1..]
        ),
    };
    format!("<script type=\"application/ld+json\">\n{body}\n</script>\n")
}

/// The about page.
pub(crate) fn about(c: &Company) -> String {
    let name = esc(&c.name);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>About us | {name}</title></head><body><h1>About {name}</h1><p>{desc}</p><p>Founded in {founded}, we now have {emp} employees.</p><p><a href=\"/\">Home</a> · <a href=\"/contact\">Contact</a></p></body></html>\n",
        desc = esc(&c.description),
        founded = c.founded,
        emp = thousands(c.employees)
    )
}

/// The contact page.
pub(crate) fn contact(c: &Company) -> String {
    let name = esc(&c.name);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Contact | {name}</title></head><body><h1>Contact {name}</h1><address>{street}, {city}, {region} {postal}</address><p>Phone: {phone}</p><p>Email: <a href=\"mailto:{email}\">{email}</a></p><p><a href=\"/\">Home</a></p></body></html>\n",
        street = esc(&c.street),
        city = esc(&c.city),
        region = esc(&c.region),
        postal = c.postal_code,
        phone = esc(&c.phone),
        email = esc(&c.email),
    )
}

/// A page that exists but carries no company facts (careers, privacy, …).
pub(crate) fn filler(c: &Company, path: &str) -> String {
    let name = esc(&c.name);
    let title = esc(path.trim_matches('/'));
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | {name}</title></head><body><h1>{title}</h1><p>This page of {name} is under construction.</p><p><a href=\"/\">Home</a></p></body></html>\n"
    )
}

/// A look-alike site: a thin page that mentions the company.
pub(crate) fn lookalike(host: &str) -> String {
    let host = esc(host);
    format!(
        "<!DOCTYPE html><html><head><title>{host} - deals, reviews and more</title><meta name=\"description\" content=\"Unofficial reviews and coupons.\"></head><body><h1>{host}</h1><p>We are not affiliated with any brand mentioned here.</p></body></html>\n"
    )
}

/// robots.txt of a company site.
pub(crate) fn robots(c: &Company) -> String {
    let mut r = String::from("User-agent: *\nDisallow: /private/\nDisallow: /cart\nAllow: /\n");
    if c.index.is_multiple_of(5) {
        r.push_str("\nUser-agent: BadBot\nDisallow: /\n");
    }
    if c.index % 10 == 7 {
        // Some sites ask crawlers to slow down.
        r = r.replacen("Allow: /\n", "Allow: /\nCrawl-delay: 1\n", 1);
    }
    let _ = write!(r, "\nSitemap: https://{}/sitemap.xml\n", c.host);
    r
}
