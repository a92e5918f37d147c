//! The words generated companies are made of: sectors, cities, streets,
//! name parts and taglines.

pub(super) const SECTORS: &[(&str, &str)] = &[
    ("Technology", "Computer Software"),
    ("Technology", "Information Technology Services"),
    ("Health Care", "Medical Products and Equipment"),
    ("Health Care", "Pharmaceuticals"),
    ("Financials", "Diversified Financials"),
    ("Financials", "Insurance: Property and Casualty"),
    ("Retailing", "Specialty Retailers: Other"),
    ("Energy", "Energy"),
    ("Industrials", "Industrial Machinery"),
    ("Business Services", "Advertising, marketing"),
    ("Transportation", "Trucking, Truck Leasing"),
    ("Food, Beverages & Tobacco", "Food Consumer Products"),
    ("Materials", "Packaging, Containers"),
    ("Media", "Entertainment"),
    ("Engineering & Construction", "Engineering, Construction"),
    ("Telecommunications", "Telecommunications"),
];

pub(super) const US_CITIES: &[(&str, &str)] = &[
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Seattle", "WA"),
    ("Boston", "MA"),
    ("Chicago", "IL"),
    ("Atlanta", "GA"),
    ("Portland", "OR"),
    ("Columbus", "OH"),
    ("Raleigh", "NC"),
    ("Phoenix", "AZ"),
    ("Nashville", "TN"),
    ("Minneapolis", "MN"),
    ("San Diego", "CA"),
    ("Salt Lake City", "UT"),
    ("Pittsburgh", "PA"),
    ("Madison", "WI"),
    ("Boise", "ID"),
    ("Omaha", "NE"),
    ("Tampa", "FL"),
    ("Richmond", "VA"),
];

pub(super) const STREETS: &[&str] = &[
    "Main",
    "Market",
    "Commerce",
    "Park",
    "Lake",
    "Oak",
    "Maple",
    "Industrial",
    "Technology",
    "Harbor",
    "Summit",
    "Liberty",
    "Washington",
    "Madison",
    "Riverside",
];

pub(super) const PREFIXES: &[&str] = &[
    "Nor", "Vel", "Tri", "Quan", "Aster", "Cor", "Lum", "Zen", "Prax", "Ver", "Hal", "Sol", "Kin",
    "Oro", "Bright", "Blue", "Iron", "Silver", "North", "Summit", "Cask", "Del", "Ember", "Fjor",
    "Gal", "Hex", "Ion", "Jun", "Kel", "Lyr", "Mer", "Nov", "Ost", "Pyr", "Rho", "Sev", "Tal",
    "Ul", "Vor", "Wex", "Xan", "Yar", "Zor", "Alto", "Bran", "Cyan", "Dun", "Evo", "Flux", "Grey",
];

pub(super) const SUFFIXES: &[&str] = &[
    "vex", "ora", "ient", "ix", "wave", "path", "forge", "line", "stone", "field", "gate", "point",
    "works", "labs", "ton", "ara", "ium", "os", "ent", "ly", "nova", "core", "span", "bridge",
];

pub(super) const WORDS: &[&str] = &[
    "Analytics",
    "Logistics",
    "Foods",
    "Health",
    "Energy",
    "Capital",
    "Robotics",
    "Software",
    "Materials",
    "Motors",
    "Media",
    "Pharma",
    "Systems",
    "Networks",
    "Partners",
    "Solutions",
];

pub(super) const TAGLINES: &[&str] = &[
    "Official Site",
    "Home",
    "Building a better future",
    "Innovation that matters",
    "Welcome",
    "Together we go further",
    "Quality you can trust",
    "Moving the world forward",
];
