//! The industry classifier: an explainable keyword taxonomy onto the NAICS
//! sectors. Each sector has terms; a profile's description, keywords, title
//! and schema.org types vote, and the terms that voted are the evidence.

use crate::Industry;

/// (sector code, label, terms, schema.org types).
type Sector = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const SECTORS: &[Sector] = &[
    (
        "11",
        "Agriculture, Forestry, Fishing and Hunting",
        &[
            "agriculture",
            "agricultural",
            "farm",
            "farms",
            "farming",
            "crop",
            "crops",
            "livestock",
            "forestry",
            "fishing",
            "agribusiness",
            "seeds",
            "grain",
            "dairy farm",
        ],
        &[],
    ),
    (
        "21",
        "Mining, Quarrying, and Oil and Gas Extraction",
        &[
            "mining",
            "mines",
            "oil and gas",
            "oil",
            "natural gas",
            "petroleum",
            "crude",
            "drilling",
            "exploration and production",
            "coal",
            "minerals",
            "quarry",
            "metals mining",
            "oilfield",
        ],
        &[],
    ),
    (
        "22",
        "Utilities",
        &[
            "utility",
            "utilities",
            "electric utility",
            "electricity",
            "power generation",
            "gas and electric",
            "water utility",
            "gas utilities",
            "energy delivery",
            "electric power",
        ],
        &[],
    ),
    (
        "23",
        "Construction",
        &[
            "construction",
            "contractor",
            "contractors",
            "homebuilder",
            "homebuilders",
            "homebuilding",
            "builder",
            "builders",
            "roofing",
            "engineering, construction",
            "infrastructure projects",
        ],
        &[
            "GeneralContractor",
            "RoofingContractor",
            "Electrician",
            "Plumber",
            "HousePainter",
            "HomeAndConstructionBusiness",
            "HVACBusiness",
        ],
    ),
    (
        "31-33",
        "Manufacturing",
        &[
            "manufacturer",
            "manufacturers",
            "manufacturing",
            "manufactures",
            "factory",
            "factories",
            "industrial machinery",
            "machinery",
            "motor vehicles",
            "vehicles and parts",
            "automotive",
            "aerospace",
            "defense",
            "chemicals",
            "chemical",
            "pharmaceutical",
            "pharmaceuticals",
            "semiconductor",
            "semiconductors",
            "steel",
            "packaging",
            "containers",
            "apparel",
            "food consumer products",
            "food production",
            "beverages",
            "tobacco",
            "paper",
            "plastics",
            "electronics",
            "medical products",
            "medical devices",
            "refining",
            "petroleum refining",
            "household and personal products",
            "computers, office equipment",
            "network and other communications equipment",
            "building materials",
            "glass",
        ],
        &[],
    ),
    (
        "42",
        "Wholesale Trade",
        &[
            "wholesale|2",
            "wholesaler|2",
            "wholesalers|2",
            "distributor",
            "distributors",
            "distribution of",
            "foodservice distribution",
        ],
        &["WholesaleStore"],
    ),
    (
        "44-45",
        "Retail Trade",
        &[
            "retail",
            "retailer",
            "retailers",
            "retailing",
            "stores",
            "store",
            "shopping",
            "shop",
            "e-commerce",
            "ecommerce",
            "online store",
            "supermarket",
            "supermarkets",
            "grocery",
            "groceries",
            "merchandise",
            "merchandisers",
            "general merchandisers",
            "department store",
            "drugstore",
            "drugstores",
            "food and drug stores",
            "specialty retailers",
            "pharmacies",
        ],
        &[
            "Store",
            "OnlineStore",
            "AutoDealer",
            "Pharmacy",
            "ShoppingCenter",
        ],
    ),
    (
        "48-49",
        "Transportation and Warehousing",
        &[
            "transportation",
            "transport",
            "logistics",
            "shipping",
            "freight",
            "trucking",
            "truck leasing",
            "airline",
            "airlines",
            "railroad",
            "railroads",
            "rail",
            "package delivery",
            "courier",
            "warehousing",
            "pipelines",
            "pipeline",
            "mail, package",
        ],
        &["Airline"],
    ),
    (
        "51",
        "Information",
        &[
            "software",
            "computer software",
            "internet",
            "internet services",
            "media",
            "publishing",
            "publisher",
            "broadcasting",
            "broadcaster",
            "telecommunications",
            "telecom",
            "wireless",
            "cable",
            "entertainment",
            "streaming",
            "cloud",
            "data processing",
            "search engine",
            "social network",
            "newspaper",
            "television",
        ],
        &[
            "NewsMediaOrganization",
            "RadioStation",
            "TelevisionStation",
            "MovieTheater",
        ],
    ),
    (
        "52",
        "Finance and Insurance",
        &[
            "bank",
            "banks",
            "banking",
            "commercial banks",
            "insurance",
            "insurer",
            "reinsurance",
            "financial",
            "financials",
            "finance",
            "investment",
            "investments",
            "asset management",
            "wealth management",
            "credit",
            "lending",
            "mortgage",
            "payments",
            "securities",
            "brokerage",
            "diversified financials",
            "life, health",
            "property and casualty",
            "health insurance",
        ],
        &[
            "BankOrCreditUnion",
            "FinancialService",
            "InsuranceAgency",
            "AutomatedTeller",
        ],
    ),
    (
        "53",
        "Real Estate and Rental and Leasing",
        &[
            "real estate",
            "realty",
            "property management",
            "properties",
            "reit",
            "leasing",
            "rental",
            "rentals",
        ],
        &["RealEstateAgent", "SelfStorage"],
    ),
    (
        "54",
        "Professional, Scientific, and Technical Services",
        &[
            "consulting",
            "consultancy",
            "consultants",
            "legal services",
            "law firm",
            "attorneys",
            "accounting",
            "engineering services",
            "advertising",
            "marketing",
            "design",
            "research and development",
            "information technology services",
            "it services",
            "architecture",
            "agency",
            "advisory",
        ],
        &[
            "LegalService",
            "Attorney",
            "Notary",
            "AccountingService",
            "ProfessionalService",
        ],
    ),
    (
        "55",
        "Management of Companies and Enterprises",
        &["holding company", "conglomerate", "diversified holding"],
        &[],
    ),
    (
        "56",
        "Administrative and Support and Waste Management",
        &[
            "staffing",
            "temporary help",
            "recruitment",
            "waste management",
            "waste",
            "recycling",
            "security services",
            "facilities services",
            "outsourcing",
            "call center",
            "diversified outsourcing",
        ],
        &["EmploymentAgency", "RecyclingCenter", "TravelAgency"],
    ),
    (
        "61",
        "Educational Services",
        &[
            "education",
            "educational",
            "school",
            "schools",
            "university",
            "college",
            "training",
            "e-learning",
            "courses",
            "academy",
        ],
        &[
            "EducationalOrganization",
            "CollegeOrUniversity",
            "School",
            "HighSchool",
            "ElementarySchool",
            "Preschool",
        ],
    ),
    (
        "62",
        "Health Care and Social Assistance",
        &[
            "health care",
            "healthcare",
            "hospital",
            "hospitals",
            "clinic",
            "clinics",
            "medical center",
            "physicians",
            "patients",
            "nursing",
            "dental",
            "home health",
            "medical facilities",
            "health care: medical facilities",
            "social services",
        ],
        &[
            "MedicalOrganization",
            "Hospital",
            "Physician",
            "Dentist",
            "MedicalClinic",
            "DiagnosticLab",
            "VeterinaryCare",
            "MedicalBusiness",
        ],
    ),
    (
        "71",
        "Arts, Entertainment, and Recreation",
        &[
            "sports",
            "fitness",
            "gym",
            "casino",
            "casinos",
            "gaming",
            "amusement",
            "theme park",
            "museum",
            "recreation",
            "leisure",
            "golf",
        ],
        &[
            "SportsOrganization",
            "SportsTeam",
            "ExerciseGym",
            "HealthClub",
            "AmusementPark",
            "Casino",
            "SportsActivityLocation",
        ],
    ),
    (
        "72",
        "Accommodation and Food Services",
        &[
            "restaurant",
            "restaurants",
            "hotel",
            "hotels",
            "hospitality",
            "resort",
            "resorts",
            "food services",
            "dining",
            "cafe",
            "coffee",
            "catering",
            "lodging",
        ],
        &[
            "Restaurant",
            "FoodEstablishment",
            "CafeOrCoffeeShop",
            "Bakery",
            "BarOrPub",
            "FastFoodRestaurant",
            "Hotel",
            "LodgingBusiness",
            "Resort",
            "Motel",
            "Hostel",
        ],
    ),
    (
        "81",
        "Other Services (except Public Administration)",
        &[
            "repair",
            "maintenance services",
            "salon",
            "laundry",
            "dry cleaning",
            "religious",
            "nonprofit",
            "non-profit",
            "association",
            "charity",
            "foundation",
        ],
        &[
            "AutoRepair",
            "AutoBodyShop",
            "BeautySalon",
            "HairSalon",
            "NailSalon",
            "DryCleaningOrLaundry",
            "NGO",
        ],
    ),
    (
        "92",
        "Public Administration",
        &[
            "government",
            "public administration",
            "municipal",
            "ministry",
            "federal agency",
            "city council",
        ],
        &["GovernmentOrganization", "GovernmentOffice"],
    ),
];

/// Classifies a company onto a NAICS sector. Returns the industry (with the
/// terms that decided it) and a confidence, or `None` when nothing matched.
///
/// ```
/// let (industry, confidence) = extract_core::classify(
///     Some("Walmart is a leader in general merchandisers and retail stores."),
///     &[], &[], None,
/// ).unwrap();
/// assert_eq!(industry.sector, "44-45");
/// assert!(industry.evidence.contains(&"general merchandisers".to_string()));
/// assert!(confidence > 0.5);
/// ```
pub fn classify(
    description: Option<&str>,
    keywords: &[String],
    schema_types: &[String],
    title: Option<&str>,
) -> Option<(Industry, f32)> {
    let description = description.map(normalise).unwrap_or_default();
    let keywords = normalise(&keywords.join(" , "));
    let title = title.map(normalise).unwrap_or_default();
    // (score, sector index, evidence)
    let mut scores: Vec<(f32, usize, Vec<String>)> = Vec::new();
    for (i, (_, _, terms, types)) in SECTORS.iter().enumerate() {
        let mut score = 0.0;
        let mut evidence: Vec<String> = Vec::new();
        for entry in *terms {
            // "term|w" gives a term an explicit weight; otherwise longer
            // terms, being more specific, weigh more.
            let (term, weight) = match entry.split_once('|') {
                Some((t, w)) => (t, w.parse().unwrap_or(1.0)),
                None => (*entry, entry.split(' ').count() as f32),
            };
            let mut hit = 0.0;
            if contains_term(&description, term) {
                hit += 1.0;
            }
            if contains_term(&keywords, term) {
                hit += 1.5;
            }
            if contains_term(&title, term) {
                hit += 0.5;
            }
            if hit > 0.0 {
                score += hit * weight;
                evidence.push(term.to_owned());
            }
        }
        for t in schema_types {
            if types
                .iter()
                .any(|s| s == t || (s.len() > 4 && t.ends_with(s)))
            {
                score += 4.0;
                evidence.push(format!("schema.org:{t}"));
            }
        }
        if score > 0.0 {
            scores.push((score, i, evidence));
        }
    }
    scores.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let total: f32 = scores.iter().map(|s| s.0).sum();
    let (top, index, mut evidence) = scores.into_iter().next()?;
    // Share of the vote, tempered by how much evidence there was at all.
    let confidence = (top / total) * (top / (top + 1.0));
    evidence.truncate(8);
    let (sector, label, _, _) = SECTORS[index];
    Some((
        Industry {
            sector: sector.to_owned(),
            label: label.to_owned(),
            evidence,
        },
        confidence.clamp(0.0, 1.0),
    ))
}

/// Lowercase, punctuation other than `,` `:` `-` `&` turned to spaces, padded
/// with spaces so that terms match on word boundaries.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || matches!(c, ',' | ':' | '-' | '&') {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out.push(' ');
    out
}

fn contains_term(haystack: &str, term: &str) -> bool {
    if haystack.len() < term.len() + 2 {
        return false;
    }
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(term) {
        let start = from + pos;
        let end = start + term.len();
        let before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        from = start + 1;
        if from >= haystack.len() {
            break;
        }
        while !haystack.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(description: &str, types: &[&str], sector: &str) {
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        let got = classify(Some(description), &[], &types, None).map(|(i, _)| i.sector);
        assert_eq!(got.as_deref(), Some(sector), "{description}");
    }

    #[test]
    fn sectors() {
        check(
            "Exxon Mobil is a petroleum refining company headquartered in Irving, TX.",
            &[],
            "31-33",
        );
        check("JPMorgan Chase is a leader in commercial banks, with operations across the United States.", &[], "52");
        check("We design cloud software for teams.", &[], "51");
        check(
            "Family-run trattoria in the old town.",
            &["Restaurant"],
            "72",
        );
        check(
            "UPS is a leader in mail, package and freight delivery.",
            &[],
            "48-49",
        );
        check(
            "Kroger operates supermarkets and food and drug stores.",
            &[],
            "44-45",
        );
        check(
            "Cardinal Health is a wholesalers: health care company.",
            &[],
            "42",
        );
        assert!(classify(Some("Lorem ipsum dolor."), &[], &[], None).is_none());
        assert!(classify(None, &[], &[], None).is_none());
    }
}
