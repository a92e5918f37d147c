//! What an extractor should find for each company of the world: on its
//! homepage (by the page's style), on its about and contact pages, and the
//! reference profiles its search results show. It reads both the world and
//! the search results, so that neither depends on the other.

use serde::Serialize;

use crate::world::{Company, Style, World};

/// What an extractor should find on a company's homepage. Absent fields are
/// not on the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    /// The company name as the page states it.
    pub name: String,
    /// The registrable domain.
    pub domain: String,
    /// The homepage URL.
    pub website: String,
    /// The description.
    pub description: Option<String>,
    /// Founding year.
    pub founded_year: Option<u16>,
    /// Head count.
    pub employees: Option<u64>,
    /// Headquarters city.
    pub city: Option<String>,
    /// Headquarters postal code.
    pub postal_code: Option<String>,
    /// Phone numbers (digits compare).
    pub phones: Vec<String>,
    /// Email addresses.
    pub emails: Vec<String>,
    /// Social profiles, normalised (`https://`, no `www.`, no trailing slash).
    pub social: Vec<String>,
    /// Logo URL.
    pub logo: Option<String>,
    /// Sector (for classifiers).
    pub sector: String,
    /// Wikipedia and Crunchbase profiles that the search results for the
    /// company show (an extractor may keep them as evidence).
    pub serp_profiles: Vec<String>,
    /// How the page is written.
    pub style: Style,
}

impl World {
    /// What an extractor should find for `c` on its homepage, and the
    /// reference profiles its search results show.
    pub fn truth(&self, c: &Company) -> Truth {
        self.truth_for(c, false)
    }

    /// [`World::truth`] for an extractor that also reads the about and
    /// contact pages (`comprehensive`): founding year and head count are on
    /// the about page, address, phone and email on the contact page.
    pub fn truth_comprehensive(&self, c: &Company) -> Truth {
        self.truth_for(c, true)
    }

    fn truth_for(&self, c: &Company, comprehensive: bool) -> Truth {
        // Two companies may share a site (an acquisition): the page shows its owner.
        let owner = self.by_host(&c.host).unwrap_or(c);
        let mut t = truth(owner);
        if comprehensive {
            t.founded_year = Some(owner.founded);
            t.employees = Some(owner.employees);
            t.city = Some(owner.city.clone());
            t.postal_code = Some(owner.postal_code.clone());
            t.phones = vec![owner.phone.clone()];
            t.emails = vec![owner.email.clone()];
        }
        t.serp_profiles = crate::search::results(self, &c.name, self.seed)
            .into_iter()
            .map(|h| h.url)
            .filter(|u| {
                u.contains("wikipedia.org/wiki/") || u.contains("crunchbase.com/organization/")
            })
            .map(|u| normalise_social(&u))
            .collect();
        t
    }
}

/// What the homepage of `c` shows, by its style.
fn truth(c: &Company) -> Truth {
    let website = format!("https://{}/", c.host);
    let socials = || {
        c.social
            .iter()
            .map(|(_, u)| normalise_social(u))
            .collect::<Vec<_>>()
    };
    let logo_png = format!("https://{}/assets/logo.png", c.host);
    let base = Truth {
        name: c.name.clone(),
        domain: c.domain.clone(),
        website,
        description: Some(c.description.clone()),
        founded_year: None,
        employees: None,
        city: None,
        postal_code: None,
        phones: Vec::new(),
        emails: Vec::new(),
        social: Vec::new(),
        logo: None,
        sector: c.sector.clone(),
        serp_profiles: Vec::new(),
        style: c.style,
    };
    match c.style {
        Style::JsonLd => Truth {
            founded_year: Some(c.founded),
            employees: Some(c.employees),
            city: Some(c.city.clone()),
            postal_code: Some(c.postal_code.clone()),
            phones: vec![c.phone.clone()],
            emails: vec![c.email.clone()],
            social: socials(),
            logo: Some(logo_png),
            ..base
        },
        Style::Microdata => Truth {
            founded_year: Some(c.founded),
            city: Some(c.city.clone()),
            postal_code: Some(c.postal_code.clone()),
            phones: vec![c.phone.clone()],
            emails: vec![c.email.clone()],
            social: socials(),
            logo: Some(logo_png),
            ..base
        },
        Style::OpenGraph => Truth {
            emails: vec![c.email.clone()],
            social: socials(),
            // Every page's header shows the brand image: that is the logo.
            logo: Some(logo_png.clone()),
            ..base
        },
        Style::FooterText => Truth {
            founded_year: Some(c.founded),
            employees: Some(c.employees),
            city: Some(c.city.clone()),
            postal_code: Some(c.postal_code.clone()),
            phones: vec![c.phone.clone()],
            emails: vec![c.email.clone()],
            social: socials(),
            logo: Some(logo_png.clone()),
            ..base
        },
    }
}

/// `https://www.linkedin.com/company/x/` -> `https://linkedin.com/company/x`.
fn normalise_social(u: &str) -> String {
    u.replace("://www.", "://").trim_end_matches('/').to_owned()
}
