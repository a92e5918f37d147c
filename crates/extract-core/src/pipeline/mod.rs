//! The pipeline: search → pick the website → robots → fetch the homepage →
//! (comprehensive: plan and fetch the about / contact / imprint pages) →
//! extract → merge → classify → profile. It reaches the outside only through
//! the `Search` and `Fetch` traits it is given.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::extract::{self, PageFacts};
use crate::robots::{robots_url, Robots, RobotsCache};
use crate::{
    crawl, CompanyProfile, CompanyQuery, Config, Error, ExtractionMode, Fetch, FetchRequest, Page,
    PageVisit, ProfileSource, Result, Search, Upstream, VisitOutcome,
};

mod assemble;
mod website;

pub(crate) use assemble::build_profile;
pub use assemble::profile_from_page;
use website::Website;

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

    /// The site's robots rules and, when they are not known yet, its
    /// homepage fetched at the same time (the page is dropped if the rules
    /// refuse it): a cold extraction pays one round trip, not two. With the
    /// rules already cached the homepage is left to the caller (`None`), and
    /// not fetched at all if they refuse it.
    async fn robots_and_home(&self, url: &str) -> (Result<Arc<Robots>>, Option<Result<Page>>) {
        if !self.config.respect_robots || self.robots_known(url) {
            return (self.robots_for(url).await, None);
        }
        let (robots, page) = futures_util::future::join(
            self.robots_for(url),
            // No fallback to http here: the caller retries both over http
            // when robots.txt could not connect either.
            self.homepage(url, false, &Robots::allow_all()),
        )
        .await;
        (robots, Some(page))
    }

    /// Whether the robots rules of the host of `url` are cached.
    fn robots_known(&self, url: &str) -> bool {
        robots_url(url)
            .is_some_and(|r| self.robots.get(r.trim_end_matches("/robots.txt")).is_some())
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
            outcome: VisitOutcome::Failed(e.kind().as_str().to_owned()),
        },
        facts: None,
    }
}

#[async_trait]
impl ProfileSource for Pipeline {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        let Website {
            url: mut website,
            choice,
            home,
        } = self.website(query).await?;
        let mut visited: Vec<Visited> = Vec::new();
        if let Some(home) = home {
            visited.push(home);
        } else {
            let (robots, page) = match self.robots_and_home(&website).await {
                // A domain given by the query that does not speak https: the
                // whole site (robots and pages) is read over http, as the
                // pages' URLs then record.
                (Err(Error::Connect { .. }), _)
                    if choice.is_none() && website.starts_with("https://") =>
                {
                    website = website.replacen("https://", "http://", 1);
                    self.robots_and_home(&website).await
                }
                other => other,
            };
            let robots = robots?;
            if robots.allowed(&website) {
                let page = match page {
                    // Refused while robots.txt held a half-open breaker's
                    // trial: the trial has closed it; ask again.
                    None | Some(Err(Error::Unavailable { .. })) => {
                        self.homepage(&website, choice.is_none(), &robots).await?
                    }
                    Some(page) => page?,
                };
                visited.push(self.read(&page));
            } else if robots.unavailable() {
                // The site's server is failing: report it, with the status it
                // answered, rather than an empty profile.
                return Err(Error::Status {
                    upstream: Upstream::Site,
                    status: robots.status().filter(|s| *s >= 500).unwrap_or(503),
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

        // A site given with a name: is it that company's?
        let choice = match (choice, &query.domain, &query.name) {
            (None, Some(domain), Some(name)) => Some(crate::picker::confirm_given(
                name,
                &query.hints,
                &website,
                domain,
                visited.first().and_then(|v| v.facts.as_ref()),
            )),
            (choice, ..) => choice,
        };

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
