//! The pipeline: search → pick the website → robots → fetch the homepage →
//! (comprehensive: plan and fetch the about / contact / imprint pages) →
//! extract → merge → classify → profile. It reaches the outside only through
//! the `Search` and `Fetch` traits it is given.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::extract::{self, PageFacts};
use crate::picker::{self, registrable_domain};
use crate::robots::{robots_url, Robots, RobotsCache};
use crate::{
    classify, crawl, CompanyProfile, CompanyQuery, Config, Error, ExtractionMode, Fetch,
    FetchRequest, Field, Knowledge, Method, Page, PageVisit, ProfileSource, Result, Search,
    SearchQuery, SearchResults, Upstream, VisitOutcome, WebsiteChoice,
};

/// The extraction pipeline, a [`ProfileSource`] over a [`Search`] and a [`Fetch`].
pub struct Pipeline {
    search: Arc<dyn Search>,
    fetch: Arc<dyn Fetch>,
    config: Config,
    robots: RobotsCache,
    observer: Option<Arc<dyn StageObserver>>,
}

/// Told how long the pipeline's own CPU stages took. Search and fetch are
/// timed by decorators around the traits instead.
pub trait StageObserver: Send + Sync {
    /// One run of `stage` took `elapsed`.
    fn observe(&self, stage: CpuStage, elapsed: Duration);
}

/// A CPU stage of the pipeline, as a [`StageObserver`] is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuStage {
    /// Reading one page's signals.
    Extract,
    /// Classifying one profile's industry.
    Classify,
}

/// The site to crawl, how it was chosen, and its homepage if already read.
struct Website {
    url: String,
    choice: Option<picker::Choice>,
    home: Option<Visited>,
}

/// One page's outcome within an extraction.
struct Visited {
    visit: PageVisit,
    facts: Option<PageFacts>,
}

impl Pipeline {
    /// A pipeline that searches with `search` and fetches pages with `fetch`.
    pub fn new(search: Arc<dyn Search>, fetch: Arc<dyn Fetch>, config: Config) -> Self {
        let robots = RobotsCache::new(
            config.robots_cache_hosts,
            Duration::from_secs(config.robots_ttl_s),
        );
        Pipeline {
            search,
            fetch,
            config,
            robots,
            observer: None,
        }
    }

    /// The same pipeline, telling `observer` how long extraction and
    /// classification take.
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn StageObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The website to crawl: given by the query, or chosen among search hits
    /// after reading the top candidates' homepages concurrently. The chosen
    /// site's homepage, when it was read and robots allow it, comes back too.
    async fn website(&self, query: &CompanyQuery) -> Result<Website> {
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
        let mut list = picker::shortlist(name, &results);
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
            list = picker::shortlist(name, &results);
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

    /// The robots rules of the host of `url`, fetched once and cached.
    /// A transport failure is returned as an error (the site is unreachable).
    async fn robots_for(&self, url: &str) -> Result<Arc<Robots>> {
        if !self.config.respect_robots {
            return Ok(Arc::new(Robots::allow_all()));
        }
        let Some(robots_url) = robots_url(url) else {
            return Ok(Arc::new(Robots::allow_all()));
        };
        let key = robots_url.trim_end_matches("/robots.txt").to_owned();
        if let Some(r) = self.robots.get(&key) {
            return Ok(r);
        }
        let agent = &self.config.robots_user_agent;
        let robots = match self.fetch.fetch(&FetchRequest::get(robots_url)).await {
            Ok(page) => Robots::from_response(agent, Some(page.status), &page.body),
            Err(Error::BodyTooLarge { .. } | Error::Refused { .. }) => {
                Robots::from_response(agent, Some(404), b"")
            }
            Err(e) => return Err(e.for_upstream(Upstream::Site)),
        };
        let robots = Arc::new(robots);
        // A robots.txt that could not be read (5xx) is asked again next time:
        // the site may have recovered.
        if !robots.unavailable() {
            self.robots.insert(&key, robots.clone());
        }
        Ok(robots)
    }

    /// The site's `Crawl-delay`, capped at the configured longest.
    fn crawl_delay(&self, robots: &Robots) -> Option<Duration> {
        robots
            .crawl_delay()
            .map(|d| d.min(Duration::from_secs(self.config.max_crawl_delay_s)))
    }

    /// Fetches the homepage; a `domain` query that fails over https is tried over http.
    async fn homepage(&self, url: &str, from_query: bool, robots: &Robots) -> Result<Page> {
        let request = |u: &str| FetchRequest {
            crawl_delay: self.crawl_delay(robots),
            ..FetchRequest::page(u)
        };
        let page = match self.fetch.fetch(&request(url)).await {
            Err(Error::Connect { .. }) if from_query && url.starts_with("https://") => {
                let http = url.replacen("https://", "http://", 1);
                self.fetch.fetch(&request(&http)).await
            }
            other => other,
        }
        .map_err(|e| e.for_upstream(Upstream::Site))?;
        if !page.is_success() {
            return Err(Error::Status {
                upstream: Upstream::Site,
                status: page.status,
                url: page.url.clone(),
                retry_after: None,
            });
        }
        if !looks_like_html(&page) {
            return Err(Error::InvalidResponse {
                upstream: Upstream::Site,
                message: format!(
                    "{} is {}, not HTML",
                    page.url,
                    page.content_type.as_deref().unwrap_or("of no content type")
                ),
            });
        }
        Ok(page)
    }

    /// Fetches and reads one further page; never fails the extraction.
    async fn other_page(&self, url: String) -> Visited {
        let robots = match self.robots_for(&url).await {
            Ok(r) => r,
            Err(e) => return failed(url, &e),
        };
        if !robots.allowed(&url) {
            return Visited {
                visit: PageVisit {
                    url,
                    status: None,
                    outcome: robots.refusal(),
                },
                facts: None,
            };
        }
        let request = FetchRequest {
            crawl_delay: self.crawl_delay(&robots),
            ..FetchRequest::page(url.clone())
        };
        match self.fetch.fetch(&request).await {
            Ok(page) if page.is_success() && looks_like_html(&page) => self.read(&page),
            Ok(page) => Visited {
                visit: PageVisit {
                    outcome: if page.is_success() {
                        VisitOutcome::SkippedNotHtml
                    } else {
                        VisitOutcome::FailedStatus
                    },
                    url: page.url,
                    status: Some(page.status),
                },
                facts: None,
            },
            Err(e) => failed(url, &e),
        }
    }

    fn read(&self, page: &Page) -> Visited {
        let started = std::time::Instant::now();
        let facts = extract::page(
            &page.url,
            &page.body,
            page.content_type.as_deref(),
            &self.config.limits,
        );
        if let Some(o) = &self.observer {
            o.observe(CpuStage::Extract, started.elapsed());
        }
        let truncated = facts.truncated || page.truncated;
        Visited {
            visit: PageVisit {
                url: page.url.clone(),
                status: Some(page.status),
                outcome: if truncated {
                    VisitOutcome::FetchedTruncated
                } else {
                    VisitOutcome::Fetched
                },
            },
            facts: Some(facts),
        }
    }
}

fn failed(url: String, e: &Error) -> Visited {
    Visited {
        visit: PageVisit {
            url,
            status: match e {
                Error::Status { status, .. } => Some(*status),
                _ => None,
            },
            outcome: VisitOutcome::Failed(e.kind().to_owned()),
        },
        facts: None,
    }
}

#[async_trait]
impl ProfileSource for Pipeline {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        let Website {
            url: website,
            choice,
            home,
        } = self.website(query).await?;
        let mut visited: Vec<Visited> = Vec::new();
        if let Some(home) = home {
            visited.push(home);
        } else {
            let robots = self.robots_for(&website).await?;
            if robots.allowed(&website) {
                let page = self.homepage(&website, choice.is_none(), &robots).await?;
                visited.push(self.read(&page));
            } else if robots.unavailable() {
                // The site's server is failing: report it rather than an empty profile.
                return Err(Error::Status {
                    upstream: Upstream::Site,
                    status: 503,
                    url: robots_url(&website).unwrap_or_default(),
                    retry_after: None,
                });
            } else {
                visited.push(Visited {
                    visit: PageVisit {
                        url: website.clone(),
                        status: None,
                        outcome: robots.refusal(),
                    },
                    facts: None,
                });
            }
        }

        if query.mode == ExtractionMode::Comprehensive {
            if let Some(home) = visited.first().and_then(|v| v.facts.as_ref()) {
                let planned = crawl::plan(
                    &home.url,
                    &home.links(),
                    self.config.max_pages.saturating_sub(1),
                );
                let others = futures_util::future::join_all(
                    planned.into_iter().map(|(_, url)| self.other_page(url)),
                );
                visited.extend(others.await);
            }
        }

        let home_url = visited
            .first()
            .and_then(|v| v.facts.as_ref().map(|f| f.url.clone()))
            .unwrap_or_else(|| website.clone());
        let (facts, visits): (Vec<_>, Vec<_>) =
            visited.into_iter().map(|v| (v.facts, v.visit)).unzip();
        let facts: Vec<PageFacts> = facts.into_iter().flatten().collect();
        Ok(build_profile(
            query,
            &home_url,
            choice,
            &facts,
            visits,
            self.observer.as_deref(),
        ))
    }
}

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
    let industry = classify::classify(
        merged.description.as_ref().map(|d| d.value.as_str()),
        &merged.keywords,
        &merged.schema_types,
        pages.first().map(|p| p.title.as_str()),
    );
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

/// `scheme://host/` of a URL.
fn home_url_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}://{}/", u.scheme(), u.host_str().unwrap_or_default()),
        Err(_) => url.to_owned(),
    }
}

/// HTML by its content type, or, without one, by its first bytes.
fn looks_like_html(page: &Page) -> bool {
    match page.content_type.as_deref().map(str::to_ascii_lowercase) {
        Some(ct) => ct.contains("html") || ct.contains("xml") || ct.starts_with("text/"),
        None => {
            let head = &page.body[..page.body.len().min(512)];
            let head = String::from_utf8_lossy(head).to_ascii_lowercase();
            head.contains("<html") || head.contains("<!doctype") || head.contains("<head")
        }
    }
}
