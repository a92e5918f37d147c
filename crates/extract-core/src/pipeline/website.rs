//! Choosing the website: given by the query, or picked among the search
//! hits after reading the top candidates' homepages (and, when asked, the
//! encyclopedia's infobox) concurrently.

use crate::extract::{self};
use crate::picker::{self};
use crate::{
    CompanyQuery, Error, Fetch, FetchRequest, Knowledge, Result, Search, SearchQuery, SearchResults,
};

use super::{looks_like_html, Pipeline, Visited};

/// The site to crawl, how it was chosen, and its homepage if already read.
pub(super) struct Website {
    pub(super) url: String,
    pub(super) choice: Option<picker::Choice>,
    pub(super) home: Option<Visited>,
}

impl Pipeline {
    /// The website to crawl: given by the query, or chosen among search hits
    /// after reading the top candidates' homepages concurrently. The chosen
    /// site's homepage, when it was read and robots allow it, comes back too.
    pub(super) async fn website(&self, query: &CompanyQuery) -> Result<Website> {
        if let Some(domain) = &query.domain {
            return Ok(Website {
                url: format!("https://{domain}/"),
                choice: None,
                home: None,
            });
        }
        let name = query.name.as_deref().unwrap_or_default();
        let mut results = self
            .search
            .search(&SearchQuery {
                text: name.to_owned(),
                max_results: self.config.max_search_results,
            })
            .await?;
        let mut list = picker::shortlist_with(name, &query.hints, &results);
        let no_website = || Error::NoWebsite {
            company: name.to_owned(),
        };
        let verify = self.config.verify_candidates > 1 && list.candidates.len() > 1;
        let shortlisted: Vec<(String, String)> = if verify {
            list.to_verify(self.config.verify_candidates)
                .into_iter()
                .map(|c| (c.url.clone(), c.domain.clone()))
                .collect()
        } else {
            Vec::new()
        };
        // The candidates' homepages and the encyclopedia's infobox, read together.
        let (read, article) = futures_util::future::join(
            futures_util::future::join_all(
                shortlisted.iter().map(|(url, _)| self.candidate_home(url)),
            ),
            self.encyclopedia_knowledge(&results),
        )
        .await;
        if let Some(knowledge) = article {
            results.knowledge = Some(knowledge);
            list = picker::shortlist_with(name, &query.hints, &results);
        }
        let homes: Vec<(String, Visited)> = shortlisted
            .iter()
            .zip(read)
            .filter_map(|((_, domain), v)| Some((domain.clone(), v?)))
            .collect();
        let pages: Vec<picker::Verified<'_>> = homes
            .iter()
            .filter_map(|(d, v)| v.facts.as_ref().map(|f| (d.as_str(), f)))
            .collect();
        let choice = picker::decide(&list, &pages).ok_or_else(no_website)?;
        let home = homes
            .into_iter()
            .find(|(d, _)| *d == choice.domain)
            .map(|(_, v)| v);
        Ok(Website {
            url: choice.url.clone(),
            choice: Some(choice),
            home,
        })
    }

    /// With `extract.wikipedia_lookup`, and when the provider gave no panel
    /// naming a website: the official website of the Wikipedia article among
    /// the hits, read through the same fetch stack (so cached and polite) as
    /// a knowledge panel titled like the article.
    async fn encyclopedia_knowledge(&self, results: &SearchResults) -> Option<Knowledge> {
        if !self.config.wikipedia_lookup
            || results
                .knowledge
                .as_ref()
                .is_some_and(|k| k.website.is_some())
        {
            return None;
        }
        let hit = results.hits.iter().find(|h| {
            url::Url::parse(&h.url).is_ok_and(|u| {
                u.host_str()
                    .is_some_and(|host| host.ends_with(".wikipedia.org"))
                    && u.path().starts_with("/wiki/")
                    && !u.path().contains(':')
            })
        })?;
        let (robots, page) = futures_util::future::join(
            self.robots_for(&hit.url),
            self.fetch.fetch(&FetchRequest::page(&hit.url)),
        )
        .await;
        let page = page.ok().filter(|p| p.is_success())?;
        if !robots.ok()?.allowed(&page.url) {
            return None;
        }
        let website = extract::official_website(&page.body, &self.config.limits)?;
        let title = [" \u{2013} ", " - ", " | "]
            .iter()
            .find_map(|sep| hit.title.rsplit_once(sep).map(|(t, _)| t))
            .unwrap_or(&hit.title)
            .trim()
            .to_owned();
        Some(Knowledge {
            title,
            website: Some(website),
        })
    }

    /// A candidate's homepage, read with its robots.txt fetched at the same
    /// time; `None` when either fails or robots refuses the page (the
    /// normal path then fetches, or reports, it again).
    async fn candidate_home(&self, url: &str) -> Option<Visited> {
        let (robots, page) = futures_util::future::join(
            self.robots_for(url),
            self.fetch.fetch(&FetchRequest::page(url)),
        )
        .await;
        let robots = robots.ok()?;
        let page = page.ok()?;
        if !robots.allowed(url) || !robots.allowed(&page.url) {
            return None;
        }
        (page.is_success() && looks_like_html(&page)).then(|| self.read(&page))
    }
}
