//! Assembling a profile from merged page facts and the website choice, and
//! the profile of one saved page.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::extract::{self, PageFacts};
use crate::picker::{self, registrable_domain};
use crate::{
    CompanyProfile, CompanyQuery, Config, ExtractionMode, Field, Method, PageVisit, VisitOutcome,
    WebsiteChoice,
};

use super::{home_url_of, CpuStage, StageObserver};

/// Assembles the profile from the merged page facts and the website choice.
pub(crate) fn build_profile(
    query: &CompanyQuery,
    home_url: &str,
    choice: Option<picker::Choice>,
    pages: &[PageFacts],
    visits: Vec<PageVisit>,
    observer: Option<&dyn StageObserver>,
) -> CompanyProfile {
    let host = url::Url::parse(home_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let domain = (!host.is_empty()).then(|| registrable_domain(&host));
    let merged = extract::merge(pages, domain.as_deref());
    let website = match &choice {
        Some(c) => {
            let mut f = Field::new(home_url_of(home_url), &c.url, Method::Serp);
            f.confidence = c.confidence;
            f
        }
        None => Field::new(home_url_of(home_url), home_url, Method::Query),
    };
    let mut social = merged.social;
    for e in choice.iter().flat_map(|c| c.evidence.iter()) {
        if !social.iter().any(|s| s.value.network == e.value.network) {
            social.push(e.clone());
        }
    }
    let name = merged.name.or_else(|| {
        query.name.as_ref().map(|n| {
            let mut f = Field::new(n.clone(), home_url, Method::Query);
            f.confidence = 0.5;
            f
        })
    });
    let started = std::time::Instant::now();
    let industry = crate::industry::of_pages(pages);
    if let Some(o) = observer {
        o.observe(CpuStage::Classify, started.elapsed());
    }
    let industry = industry.map(|(industry, confidence)| {
        let mut f = Field::new(industry, home_url, Method::Text);
        f.confidence = confidence;
        f
    });
    CompanyProfile {
        query: query.label().to_owned(),
        domain,
        name,
        site_name: merged.site_name,
        legal_name: merged.legal_name,

        website: Some(website),
        description: merged.description,
        industry,
        founded_year: merged.founded_year,
        identifiers: merged.identifiers,
        employees: merged.employees,
        headquarters: merged.headquarters,
        phones: merged.phones,
        emails: merged.emails,
        social,
        logo: merged.logo,
        icon: merged.icon,
        keywords: merged.keywords,
        website_choice: choice.map(|c| WebsiteChoice {
            url: c.url,
            confidence: c.confidence,
            status: c.status,
            runner_up: c.runner_up,
            runner_up_confidence: c.runner_up_confidence,
            reasons: c.reasons,
        }),
        conflicts: merged.conflicts,
        pages: visits,
        extracted_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}

/// The profile of one saved page, without search or fetching: what
/// `extract-server inspect` prints.
pub fn profile_from_page(
    url: &str,
    body: &[u8],
    content_type: Option<&str>,
    config: &Config,
) -> CompanyProfile {
    let facts = extract::page(url, body, content_type, &config.limits);
    let query = CompanyQuery {
        name: None,
        domain: url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(registrable_domain)),
        mode: ExtractionMode::Basic,
        freshness: Default::default(),
        priority: Default::default(),
        hints: Default::default(),
    };
    let visit = PageVisit {
        url: url.to_owned(),
        status: None,
        outcome: if facts.truncated {
            VisitOutcome::ReadTruncated
        } else {
            VisitOutcome::Read
        },
    };
    build_profile(
        &query,
        url,
        None,
        std::slice::from_ref(&facts),
        vec![visit],
        None,
    )
}
