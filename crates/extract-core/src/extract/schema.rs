//! schema.org vocabulary shared by the JSON-LD and microdata readers:
//! which types are organisations, and the organisation facts both produce.

use super::html::collapse_ws;
use super::microdata::{Item, Value as MdValue};
use crate::{Address, Employees};

/// Organization and its subtypes (schema.org), including LocalBusiness and its
/// subtypes. Types ending in one of [`ORG_SUFFIXES`] count too.
const ORG_TYPES: &[&str] = &[
    "Organization",
    "Corporation",
    "LocalBusiness",
    "NGO",
    "NewsMediaOrganization",
    "EducationalOrganization",
    "CollegeOrUniversity",
    "School",
    "GovernmentOrganization",
    "MedicalOrganization",
    "SportsOrganization",
    "SportsTeam",
    "PerformingGroup",
    "MusicGroup",
    "Airline",
    "Consortium",
    "Cooperative",
    "FundingScheme",
    "LibrarySystem",
    "OnlineBusiness",
    "WorkersUnion",
    "ResearchOrganization",
    "PoliticalParty",
    "SearchRescueOrganization",
    "ProfessionalService",
    "LegalService",
    "Attorney",
    "Notary",
    "FinancialService",
    "AccountingService",
    "BankOrCreditUnion",
    "InsuranceAgency",
    "Restaurant",
    "Bakery",
    "BarOrPub",
    "Brewery",
    "CafeOrCoffeeShop",
    "Distillery",
    "Winery",
    "FoodEstablishment",
    "Hotel",
    "Motel",
    "Hostel",
    "Resort",
    "LodgingBusiness",
    "Dentist",
    "Physician",
    "Hospital",
    "Pharmacy",
    "MedicalClinic",
    "Electrician",
    "Plumber",
    "Locksmith",
    "GeneralContractor",
    "RoofingContractor",
    "HousePainter",
    "MovingCompany",
    "RealEstateAgent",
    "TravelAgency",
    "EmploymentAgency",
    "ChildCare",
    "DryCleaningOrLaundry",
    "Florist",
    "Library",
    "RadioStation",
    "TelevisionStation",
    "ShoppingCenter",
    "SelfStorage",
    "RecyclingCenter",
    "AutoDealer",
    "AutoRepair",
    "GasStation",
    "ExerciseGym",
    "HealthClub",
    "BeautySalon",
    "HairSalon",
    "DaySpa",
    "NailSalon",
    "TattooParlor",
    "Casino",
    "NightClub",
    "AmusementPark",
    "ArtGallery",
    "MovieTheater",
    "InternetCafe",
    "VeterinaryCare",
    "Optician",
    "Campground",
];

/// Type-name endings that mark an organisation (`ClothingStore`, `AutomotiveBusiness`, …).
const ORG_SUFFIXES: &[&str] = &[
    "Organization",
    "Business",
    "Store",
    "Service",
    "Agency",
    "Restaurant",
    "Shop",
    "Contractor",
    "Dealer",
    "Club",
];

/// Whether a schema.org type name (short form) is an organisation.
pub(crate) fn is_org_type(t: &str) -> bool {
    let t = t.rsplit(['/', '#', ':']).next().unwrap_or(t);
    ORG_TYPES.contains(&t) || ORG_SUFFIXES.iter().any(|s| t.ends_with(s))
}

/// How an organisation node relates to the page it was found on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// A top-level organisation, or the page's main entity: the page is about it.
    Primary,
    /// The publisher of the page or website: usually the site owner.
    Publisher,
    /// Mentioned (brand, manufacturer, author): weak evidence.
    Related,
}

impl Role {
    /// Multiplies the method's confidence.
    pub(crate) fn weight(self) -> f32 {
        match self {
            Role::Primary => 1.0,
            Role::Publisher => 0.95,
            Role::Related => 0.6,
        }
    }
}

/// Facts about one organisation, as read from structured data.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OrgFacts {
    /// The schema.org types of the node (short names).
    pub(crate) types: Vec<String>,
    pub(crate) name: Option<String>,
    pub(crate) legal_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) logo: Option<String>,
    pub(crate) same_as: Vec<String>,
    pub(crate) address: Option<Address>,
    pub(crate) phones: Vec<String>,
    pub(crate) emails: Vec<String>,
    pub(crate) founded: Option<u16>,
    pub(crate) employees: Option<Employees>,
    pub(crate) keywords: Vec<String>,
    /// What the organisation says its trade is: `industry`, `knowsAbout`.
    pub(crate) industries: Vec<String>,
    /// `vatID`, or a `taxID` shaped as one.
    pub(crate) vat_id: Option<String>,
    /// `leiCode`.
    pub(crate) lei: Option<String>,
}

/// The year of a schema.org date (`"1962"`, `"1962-07-02"`, `"July 2, 1962"`).
pub(crate) fn year_of(date: &str) -> Option<u16> {
    let bytes = date.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let w = &date[i..i + 4];
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_digit();
        let boundary_after = bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        if boundary_before && boundary_after && w.bytes().all(|b| b.is_ascii_digit()) {
            w.parse::<u16>().ok().filter(|y| (1000..=2100).contains(y))
        } else {
            None
        }
    })
}

/// A head count from text like `"2200000"`, `"2,200,000"`, `"51-200"`, `"1000+"`.
pub(crate) fn employees_of(s: &str) -> Option<Employees> {
    let s = s.trim();
    let num = |t: &str| -> Option<u64> {
        let d: String = t.chars().filter(char::is_ascii_digit).collect();
        d.parse().ok()
    };
    if let Some((a, b)) = s.split_once(['-', '–']) {
        let (min, max) = (num(a)?, num(b)?);
        return (min <= max).then_some(Employees {
            min,
            max: Some(max),
        });
    }
    let n = num(s)?;
    Some(Employees {
        min: n,
        max: if s.ends_with('+') { None } else { Some(n) },
    })
}

/// Organisations in microdata: top-level items are the page's subject,
/// nested ones are only mentioned.
pub(super) fn microdata_orgs(items: &[Item]) -> Vec<(OrgFacts, Role)> {
    let mut out = Vec::new();
    for top in items {
        let mut all = Vec::new();
        top.walk(&mut all);
        for (i, item) in all.into_iter().enumerate() {
            if item.types.iter().any(|t| is_org_type(t)) {
                let role = if i == 0 { Role::Primary } else { Role::Related };
                out.push((microdata_facts(item), role));
            }
        }
    }
    out
}

fn microdata_facts(item: &Item) -> OrgFacts {
    let nested_text = |name: &str, inner: &[&str]| -> Option<String> {
        item.all(name).find_map(|v| match v {
            MdValue::Text(t) => Some(collapse_ws(t)).filter(|t| !t.is_empty()),
            MdValue::Item(i) => inner.iter().find_map(|k| i.text(k).map(collapse_ws)),
        })
    };
    let address = item.all("address").find_map(|v| match v {
        MdValue::Item(i) => {
            let a = super::address::tidy(Address {
                street: i.text("streetAddress").map(collapse_ws),
                locality: i.text("addressLocality").map(collapse_ws),
                region: i.text("addressRegion").map(collapse_ws),
                postal_code: i.text("postalCode").map(collapse_ws),
                country: i.text("addressCountry").map(collapse_ws),
            });
            (!a.is_empty()).then_some(a)
        }
        MdValue::Text(t) => Some(Address {
            street: Some(collapse_ws(t)),
            ..Address::default()
        })
        .filter(|a| a.street.as_deref().is_some_and(|s| !s.is_empty())),
    });
    let mut emails: Vec<String> = item
        .all("email")
        .filter_map(|v| match v {
            MdValue::Text(t) => Some(t.trim().trim_start_matches("mailto:").to_ascii_lowercase()),
            MdValue::Item(_) => None,
        })
        .collect();
    let mut phones: Vec<String> = item
        .all("telephone")
        .filter_map(|v| match v {
            MdValue::Text(t) => Some(t.trim().trim_start_matches("tel:").to_owned()),
            MdValue::Item(_) => None,
        })
        .collect();
    for cp in item.all("contactPoint") {
        if let MdValue::Item(i) = cp {
            phones.extend(i.text("telephone").map(str::to_owned));
            emails.extend(
                i.text("email")
                    .map(|e| e.trim_start_matches("mailto:").to_ascii_lowercase()),
            );
        }
    }
    OrgFacts {
        types: item
            .types
            .iter()
            .map(|t| super::microdata::short_type(t).to_owned())
            .collect(),
        name: item.text("name").map(collapse_ws),
        legal_name: item.text("legalName").map(collapse_ws),
        description: item.text("description").map(collapse_ws),
        url: item.text("url").map(str::to_owned),
        logo: nested_text("logo", &["url", "contentUrl"]),
        same_as: item
            .all("sameAs")
            .filter_map(|v| match v {
                MdValue::Text(t) => Some(t.trim().to_owned()),
                MdValue::Item(_) => None,
            })
            .collect(),
        address,
        phones,
        emails,
        founded: item.text("foundingDate").and_then(year_of),
        employees: nested_text("numberOfEmployees", &["value", "minValue"])
            .and_then(|s| employees_of(&s)),
        keywords: Vec::new(),
        industries: item
            .text("industry")
            .into_iter()
            .chain(item.text("knowsAbout"))
            .map(collapse_ws)
            .collect(),
        vat_id: item
            .text("vatID")
            .or_else(|| item.text("taxID"))
            .map(collapse_ws),
        lei: item.text("leiCode").map(collapse_ws),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_types_and_dates() {
        assert!(is_org_type("Corporation"));
        assert!(is_org_type("http://schema.org/ClothingStore"));
        assert!(is_org_type("schema:NGO"));
        assert!(!is_org_type("WebSite"));
        assert!(!is_org_type("Person"));
        assert_eq!(year_of("1962-07-02"), Some(1962));
        assert_eq!(year_of("July 2, 1962"), Some(1962));
        assert_eq!(year_of("19620"), None);
        assert_eq!(
            employees_of("51-200"),
            Some(Employees {
                min: 51,
                max: Some(200)
            })
        );
        assert_eq!(
            employees_of("1,000+"),
            Some(Employees {
                min: 1000,
                max: None
            })
        );
    }
}
