//! robots.txt: parsing (with `texting_robots`: longest-match `Allow` /
//! `Disallow`, `Crawl-delay`, user-agent groups) and a small bounded cache so
//! that each host's file is fetched once.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::VisitOutcome;

/// The rules of one host for our user agent.
#[derive(Debug)]
pub struct Robots {
    rules: Rules,
    /// The status robots.txt answered, when it was fetched.
    status: Option<u16>,
}

#[derive(Debug)]
enum Rules {
    /// A robots.txt was read.
    Parsed(Box<texting_robots::Robot>),
    /// No robots.txt (4xx): everything is allowed.
    AllowAll,
    /// The server failed to answer (5xx, network): RFC 9309 says to assume
    /// complete disallow.
    DisallowAll,
}

impl Robots {
    /// Rules from a fetched robots.txt: `status` is the HTTP status of the
    /// fetch (`None` when the fetch itself failed).
    pub fn from_response(agent: &str, status: Option<u16>, body: &[u8]) -> Robots {
        let rules = match status {
            Some(200..=299) => match texting_robots::Robot::new(agent, body) {
                Ok(robot) => Rules::Parsed(Box::new(robot)),
                // An unparseable file is treated like no file, as crawlers do.
                Err(_) => Rules::AllowAll,
            },
            Some(400..=499) => Rules::AllowAll,
            _ => Rules::DisallowAll,
        };
        Robots { rules, status }
    }

    /// The status robots.txt answered (a 5xx when [`unavailable`](Self::unavailable)).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Rules that allow everything (robots checks turned off).
    pub fn allow_all() -> Robots {
        Robots {
            rules: Rules::AllowAll,
            status: None,
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match &self.rules {
            Rules::Parsed(robot) => robot.allowed(url),
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
        }
    }

    /// The `Crawl-delay` asked for our user agent, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match &self.rules {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(86_400.0))),

            _ => None,
        }
    }

    /// Why a page was refused, for the record.
    pub fn refusal(&self) -> VisitOutcome {
        if self.unavailable() {
            VisitOutcome::SkippedRobotsUnavailable
        } else {
            VisitOutcome::SkippedRobots
        }
    }

    /// robots.txt could not be read (the site answered 5xx): nothing of the
    /// site may be read, and the answer is not worth caching.
    pub fn unavailable(&self) -> bool {
        matches!(self.rules, Rules::DisallowAll)
    }
}

/// The robots.txt URL of the site `url` is on.
pub fn robots_url(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{}://{host}:{p}/robots.txt", u.scheme()),
        None => format!("{}://{host}/robots.txt", u.scheme()),
    })
}

/// Parsed robots rules per host, bounded in size and age.
pub struct RobotsCache {
    inner: Mutex<CacheInner>,
    capacity: usize,
    ttl: Duration,
}

struct CacheInner {
    map: HashMap<String, (Arc<Robots>, Instant)>,
    order: VecDeque<String>,
}

impl RobotsCache {
    /// A cache of at most `capacity` hosts, each kept for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        RobotsCache {
            inner: Mutex::new(CacheInner {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
            capacity: capacity.max(1),
            ttl,
        }
    }

    /// The rules for `host`, if known and fresh.
    pub fn get(&self, host: &str) -> Option<Arc<Robots>> {
        let inner = self.lock();
        inner
            .map
            .get(host)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(r, _)| r.clone())
    }

    /// Remembers the rules for `host`, forgetting the oldest host when full.
    pub fn insert(&self, host: &str, robots: Arc<Robots>) {
        let mut inner = self.lock();
        if inner
            .map
            .insert(host.to_owned(), (robots, Instant::now()))
            .is_none()
        {
            inner.order.push_back(host.to_owned());
        }
        while inner.map.len() > self.capacity {
            match inner.order.pop_front() {
                Some(old) => {
                    inner.map.remove(&old);
                }
                None => break,
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_delays() {
        let txt = b"User-agent: *\nDisallow: /private\nAllow: /private/ok\nCrawl-delay: 2\n";
        let r = Robots::from_response("company-extract", Some(200), txt);
        assert!(r.allowed("https://x.com/"));
        assert!(!r.allowed("https://x.com/private/a"));
        assert!(r.allowed("https://x.com/private/ok/b"));
        assert_eq!(r.crawl_delay(), Some(Duration::from_secs(2)));
        assert!(Robots::from_response("a", Some(404), b"").allowed("https://x.com/a"));
        assert!(!Robots::from_response("a", Some(503), b"").allowed("https://x.com/a"));
        assert!(!Robots::from_response("a", None, b"").allowed("https://x.com/a"));
        assert_eq!(
            robots_url("https://x.com:8443/a/b?c").as_deref(),
            Some("https://x.com:8443/robots.txt")
        );
    }

    #[test]
    fn cache_is_bounded() {
        let c = RobotsCache::new(2, Duration::from_secs(60));
        for h in ["a", "b", "c"] {
            c.insert(h, Arc::new(Robots::allow_all()));
        }
        assert!(c.get("a").is_none());
        assert!(c.get("c").is_some());
    }
}
