//! The answer: a company profile in which every field carries its source.

use serde::{Deserialize, Serialize};

use crate::PageVisit;

/// How a value was found. Ordered from the most to the least trusted;
/// merging keeps the value of the most trusted method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Method {
    /// Given by the caller (a `domain` in the query).
    Query,
    /// schema.org JSON-LD.
    JsonLd,
    /// schema.org microdata.
    Microdata,
    /// OpenGraph `og:*` meta tags.
    Opengraph,
    /// Other meta tags: `description`, `twitter:*`, `<title>`, `<link rel=icon>`.
    Meta,
    /// Links in the page: social profiles, `mailto:`, `tel:`.
    Link,
    /// Patterns in the visible text.
    Text,
    /// The search results (the website choice, profiles seen there).
    Serp,
}

impl Method {
    /// The confidence a value found this way starts with.
    pub fn base_confidence(self) -> f32 {
        match self {
            Method::Query => 1.0,
            Method::JsonLd => 0.95,
            Method::Microdata => 0.9,
            Method::Opengraph => 0.8,
            Method::Meta => 0.7,
            Method::Link => 0.85,
            Method::Text => 0.6,
            Method::Serp => 0.5,
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    /// The page (or search request) the value was read from.
    pub url: String,
    /// How it was read.
    pub method: Method,
}

/// A value with its provenance and a confidence in `0.0..=1.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
    /// How much to trust it.
    pub confidence: f32,
}

impl<T> Field<T> {
    /// A value found at `url` by `method`, with the method's base confidence.
    pub fn new(value: T, url: &str, method: Method) -> Self {
        Field {
            value,
            source: Source {
                url: url.to_owned(),
                method,
            },
            confidence: method.base_confidence(),
        }
    }
}

/// A social or reference profile of the company elsewhere on the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SocialNetwork {
    /// linkedin.com/company/…
    Linkedin,
    /// x.com / twitter.com
    Twitter,
    /// facebook.com
    Facebook,
    /// github.com
    Github,
    /// youtube.com
    Youtube,
    /// instagram.com
    Instagram,
    /// crunchbase.com/organization/…
    Crunchbase,
    /// wikipedia.org/wiki/…
    Wikipedia,
    /// xing.com/companies/… (or /pages/…, /profile/… for a sole trader)
    Xing,
}

impl SocialNetwork {
    /// Every network, in display order.
    pub const ALL: [SocialNetwork; 9] = [
        SocialNetwork::Linkedin,
        SocialNetwork::Twitter,
        SocialNetwork::Facebook,
        SocialNetwork::Github,
        SocialNetwork::Youtube,
        SocialNetwork::Instagram,
        SocialNetwork::Crunchbase,
        SocialNetwork::Wikipedia,
        SocialNetwork::Xing,
    ];

    /// The lowercase name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SocialNetwork::Linkedin => "linkedin",
            SocialNetwork::Twitter => "twitter",
            SocialNetwork::Facebook => "facebook",
            SocialNetwork::Github => "github",
            SocialNetwork::Youtube => "youtube",
            SocialNetwork::Instagram => "instagram",
            SocialNetwork::Crunchbase => "crunchbase",
            SocialNetwork::Wikipedia => "wikipedia",
            SocialNetwork::Xing => "xing",
        }
    }
}

/// One social profile: which network and the normalised profile URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SocialProfile {
    /// The network.
    pub network: SocialNetwork,
    /// The profile URL, normalised (https, no `www.`, no query, no trailing slash).
    pub url: String,
}

/// A postal address; any part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// Street and number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// State, province or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country, as written on the page (name or ISO code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// True when no part is known.
    pub fn is_empty(&self) -> bool {
        self.street.is_none()
            && self.locality.is_none()
            && self.region.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
    }
}

/// Head count: an exact number (`min == max`) or a range (`max: None` for "n+").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Employees {
    /// Lower bound (or the exact count).
    pub min: u64,
    /// Upper bound; equal to `min` for an exact count, `None` when open-ended.
    pub max: Option<u64>,
}

/// An industry in the two classifications people filter company lists by:
/// a LinkedIn industry (V2) and a NAICS 2022 code (6 digits when the words
/// allow, else 4, 3 or 2), with the NAICS sector it falls in, the phrases
/// that decided it and the runners-up. When the page's words do not say,
/// `linkedin` and `naics` are absent and `alternatives` lists what they
/// leaned to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Industry {
    /// The LinkedIn industry (V2 id and name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin: Option<IndustryLinkedin>,
    /// The NAICS 2022 code and its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naics: Option<IndustryNaics>,
    /// The two-digit NAICS sector code of `naics`, e.g. `"44-45"` for retail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// The sector's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The phrases that led to this classification, each with where it was
    /// read (`description: waterproofing`).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Other industries the words pointed to, best first.
    #[serde(default)]
    pub alternatives: Vec<IndustryAlternative>,
}

/// A LinkedIn industry (V2 taxonomy).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndustryLinkedin {
    /// The industry id, e.g. `4` for Software Development.
    pub id: u32,
    /// The industry name.
    pub name: String,
}

/// A NAICS 2022 code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndustryNaics {
    /// The code, 2 to 6 digits (`"44-45"` style for the sectors that span codes).
    pub code: String,
    /// The US Census title of the code.
    pub title: String,
}

/// A runner-up industry and its share of the words' vote (0–1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndustryAlternative {
    /// The LinkedIn industry.
    pub linkedin: IndustryLinkedin,
    /// The NAICS code.
    pub naics: IndustryNaics,
    /// Its share of the vote.
    pub share: f32,
}

/// How sure the website choice is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MatchStatus {
    /// One candidate stands clearly above the others.
    #[default]
    Confident,
    /// Several candidates are close, or the best one is weak.
    Uncertain,
    /// No candidate looked like the company's site.
    NotFound,
}

impl MatchStatus {
    /// The name used on the wire and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Confident => "confident",
            MatchStatus::Uncertain => "uncertain",
            MatchStatus::NotFound => "not_found",
        }
    }
}

/// How the website was chosen among the search hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebsiteChoice {
    /// The chosen URL.
    pub url: String,
    /// The match confidence of the choice in `0.0..=1.0`.
    pub confidence: f32,
    /// `confident` or `uncertain`.
    #[serde(default)]
    pub status: MatchStatus,
    /// The second-best candidate, if there was one.
    pub runner_up: Option<String>,
    /// The runner-up's confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up_confidence: Option<f32>,
    /// The evidence that counted, for (`+`) and against (`-`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// A value that lost to the chosen one for the same field: kept so that a
/// surprising profile can be understood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The field, e.g. `founded_year`.
    pub field: String,
    /// The losing value, as text.
    pub value: String,
    /// Where it came from.
    pub source: Source,
    /// Its confidence.
    pub confidence: f32,
}

/// An entry in a trade or company register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Register {
    /// The register as the page names it (`Amtsgericht Hamburg`, `RCS Paris`, `KvK`).
    pub authority: Option<String>,
    /// The entry's number as written, with its register-type prefix (`HRB 35856`).
    pub number: String,
}

/// Legal identifiers of the organisation owning the site, each checked
/// against its scheme's check digits where it has them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identifiers {
    /// The VAT id with its country prefix, upper case, no separators (`DE238472376`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<Field<String>>,
    /// A trade or company register entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register: Option<Field<Register>>,
    /// A national company number stated on its own (Companies House,
    /// organisationsnummer, CVR, SIREN, CNPJ, ABN, CHE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_number: Option<Field<String>>,
    /// A Legal Entity Identifier (ISO 17442).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lei: Option<Field<String>>,
}

impl Identifiers {
    /// Whether none is known.
    pub fn is_empty(&self) -> bool {
        self.vat_id.is_none()
            && self.register.is_none()
            && self.company_number.is_none()
            && self.lei.is_none()
    }
}

/// A structured company profile. Every field carries where it came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyProfile {
    /// What was asked: the company name, or the domain when no name was given.
    pub query: String,
    /// The company's registrable domain, e.g. `walmart.com`.
    pub domain: Option<String>,
    /// The company's name as the site states it.
    pub name: Option<Field<String>>,
    /// The website's name (`og:site_name`, the publisher, the title): often
    /// the company's, but on a directory or a news site the site's own.
    #[serde(default)]
    pub site_name: Option<Field<String>>,
    /// The legal name, when stated.
    pub legal_name: Option<Field<String>>,
    /// The website's home URL.
    pub website: Option<Field<String>>,
    /// A short description.
    pub description: Option<Field<String>>,
    /// Industry classification.
    pub industry: Option<Field<Industry>>,
    /// Year of founding.
    pub founded_year: Option<Field<u16>>,
    /// Legal identifiers: VAT id, register entry, company number, LEI.
    #[serde(default, skip_serializing_if = "Identifiers::is_empty")]
    pub identifiers: Identifiers,
    /// Head count.
    pub employees: Option<Field<Employees>>,
    /// Headquarters address.
    pub headquarters: Option<Field<Address>>,
    /// Phone numbers, most trusted first.
    pub phones: Vec<Field<String>>,
    /// Email addresses, most trusted first.
    pub emails: Vec<Field<String>>,
    /// Social and reference profiles, one per network.
    pub social: Vec<Field<SocialProfile>>,
    /// Logo URL.
    pub logo: Option<Field<String>>,
    /// The site's icon (favicon or touch icon): a fallback image for a
    /// client to show when there is no logo, never reported as the logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Field<String>>,
    /// Keywords stated by the site.
    pub keywords: Vec<String>,
    /// How the website was picked (absent when the query gave the domain).
    pub website_choice: Option<WebsiteChoice>,
    /// Values that disagreed with the chosen ones.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// The pages looked at.
    pub pages: Vec<PageVisit>,
    /// When the profile was made, Unix seconds.
    pub extracted_at: u64,
}

impl CompanyProfile {
    /// Refuses the profile when its website was chosen with less match
    /// confidence than `min_confidence` (a profile for a given domain always passes).
    ///
    /// ```
    /// use extract_core::{CompanyProfile, MatchStatus, WebsiteChoice};
    /// let mut p = CompanyProfile { query: "Acme".into(), ..CompanyProfile::default() };
    /// p.website_choice = Some(WebsiteChoice {
    ///     url: "https://acme.example/".into(), confidence: 0.4, status: MatchStatus::Uncertain,
    ///     runner_up: Some("https://acme-corp.example/".into()), runner_up_confidence: Some(0.35), reasons: vec![],
    /// });
    /// assert!(p.check_confidence(0.3).is_ok());
    /// assert_eq!(p.check_confidence(0.8).unwrap_err().kind(), "no_confident_match");
    /// ```
    pub fn check_confidence(&self, min_confidence: f32) -> crate::Result<()> {
        match &self.website_choice {
            Some(c) if c.confidence < min_confidence => Err(crate::Error::NoConfidentMatch {
                company: self.query.clone(),
                best: c.url.clone(),
                confidence: c.confidence,
                min_confidence,
                candidates: std::iter::once(c.url.clone())
                    .chain(c.runner_up.clone())
                    .collect(),
            }),
            _ => Ok(()),
        }
    }

    /// Leaves out every field whose confidence is below `min`: scalar
    /// fields become absent, list fields keep their confident values. The
    /// domain, the website choice and the pages looked at stay.
    ///
    /// ```
    /// use extract_core::{CompanyProfile, Field, Method};
    /// let mut name = Field::new("Acme".to_owned(), "https://acme.example/", Method::JsonLd);
    /// name.confidence = 0.9;
    /// let mut phone = Field::new("+4930123".to_owned(), "https://acme.example/", Method::Text);
    /// phone.confidence = 0.4;
    /// let mut p = CompanyProfile { name: Some(name), phones: vec![phone], ..CompanyProfile::default() };
    /// p.retain_confident(0.5);
    /// assert!(p.name.is_some() && p.phones.is_empty());
    /// ```
    pub fn retain_confident(&mut self, min: f32) {
        fn keep<T>(f: &mut Option<Field<T>>, min: f32) {
            if f.as_ref().is_some_and(|f| f.confidence < min) {
                *f = None;
            }
        }
        keep(&mut self.name, min);
        keep(&mut self.site_name, min);
        keep(&mut self.legal_name, min);
        keep(&mut self.website, min);
        keep(&mut self.description, min);
        keep(&mut self.industry, min);
        keep(&mut self.founded_year, min);
        keep(&mut self.employees, min);
        keep(&mut self.headquarters, min);
        keep(&mut self.logo, min);
        keep(&mut self.icon, min);
        keep(&mut self.identifiers.vat_id, min);
        keep(&mut self.identifiers.register, min);
        keep(&mut self.identifiers.company_number, min);
        keep(&mut self.identifiers.lei, min);
        self.phones.retain(|f| f.confidence >= min);
        self.emails.retain(|f| f.confidence >= min);
        self.social.retain(|f| f.confidence >= min);
    }

    /// The profile URL for `network`, if the company has one.
    pub fn social_url(&self, network: SocialNetwork) -> Option<&str> {
        self.social
            .iter()
            .find(|f| f.value.network == network)
            .map(|f| f.value.url.as_str())
    }
}
