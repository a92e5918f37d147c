//! The domain of company extraction: what a company profile is, the three
//! seams through which the outside world is reached, and the pipeline that
//! turns a company name into a profile.
//!
//! - Types: [`CompanyQuery`] (with [`Hints`]: country, city, LinkedIn
//!   page), [`CompanyProfile`] (every field a [`Field`] with its
//!   [`Source`] and confidence), [`ExtractionMode`], [`Priority`],
//!   [`ItemState`], [`SearchHit`], [`Page`]; the service's one [`clock`],
//!   one [`latency`] histogram, the [`industry`] classifier (LinkedIn
//!   industry and NAICS code from a company's own words) and the
//!   [`taxonomy`] data it answers in.
//! - Seams: [`Search`], [`Fetch`], [`ProfileSource`] — object-safe async
//!   traits used as `Arc<dyn …>`. Caching, rate limiting and metrics are
//!   decorators implementing the same traits, in other crates; each part
//!   writes its own counters to a [`metrics::MetricSink`]. State shared
//!   by instances sits behind [`SharedRate`] (the cluster's rate limits).
//! - Logic: the name normaliser ([`normalize_name`]), search codecs
//!   ([`search`]), the website [`picker`], streaming HTML extraction
//!   ([`extract`]) and the [`Pipeline`].
//!
//! This crate does no I/O of its own: no sockets, no Redis, no files.
//!
//! # Embedding
//!
//! Another service brings its own transport by implementing [`Fetch`] (and
//! [`Search`], or a [`search::Codec`] over the same transport):
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use extract_core::{
//!     CompanyQuery, Config, Fetch, FetchRequest, Page, Pipeline, ProfileSource, Result,
//!     Search, SearchHit, SearchQuery, SearchResults,
//! };
//!
//! struct OneHitSearch;
//! #[async_trait]
//! impl Search for OneHitSearch {
//!     async fn search(&self, _q: &SearchQuery) -> Result<SearchResults> {
//!         Ok(SearchResults { hits: vec![SearchHit {
//!             url: "https://www.acme.com/".into(), title: "Acme".into(),
//!             snippet: String::new(), rank: 1,
//!         }], knowledge: None })
//!     }
//! }
//!
//! struct CannedWeb;
//! #[async_trait]
//! impl Fetch for CannedWeb {
//!     async fn fetch(&self, req: &FetchRequest) -> Result<Page> {
//!         Ok(Page {
//!             url: req.url.clone(), status: 200, retry_after: None, truncated: false,
//!             content_type: Some("text/html".into()),
//!             body: r#"<script type="application/ld+json">
//!                 {"@type":"Corporation","name":"Acme","description":"Rockets."}</script>"#.into(),
//!         })
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let pipeline = Pipeline::new(Arc::new(OneHitSearch), Arc::new(CannedWeb), Config::default());
//! let profile = pipeline.profile(&CompanyQuery::by_name("Acme Inc.")?).await?;
//! assert_eq!(profile.domain.as_deref(), Some("acme.com"));
//! assert_eq!(profile.description.unwrap().value, "Rockets.");
//! # Ok::<(), extract_core::Error>(())
//! # }).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod classify;
pub mod clock;
mod config;
pub mod crawl;
mod error;
pub mod extract;
pub mod industry;
pub mod latency;
pub mod metrics;
mod normalize;
mod outcome;
pub mod pairs;
pub mod picker;
mod pipeline;
mod profile;
mod query;
pub mod robots;
pub mod search;
pub mod taxonomy;
mod traits;
mod visit;

pub use config::{Config, Provider, SearchConfig, Secret};
pub use error::{redact_url, Error, ErrorKind, Result, Upstream};
pub use extract::{phone_digits, social_profile};
pub use normalize::{compact_name, name_words, normalize_domain, normalize_name, similarity};
pub use outcome::ItemState;
pub use pipeline::{profile_from_page, CpuStage, Pipeline, StageObserver};
pub use profile::{
    Address, CompanyProfile, Conflict, Employees, Field, Identifiers, Industry,
    IndustryAlternative, IndustryLinkedin, IndustryNaics, MatchStatus, Method, Register,
    SocialNetwork, SocialProfile, Source, WebsiteChoice,
};
pub use query::{CompanyQuery, ExtractionMode, Freshness, Hints, Priority};
pub use traits::{
    Fetch, FetchRequest, Knowledge, Outcome, Page, Pool, ProfileSource, RateShape, Search,
    SearchHit, SearchQuery, SearchResults, Served, SharedRate, SharedRateError,
};
pub use visit::{PageVisit, VisitOutcome};
