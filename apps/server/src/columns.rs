//! What the columns of an uploaded table are: its header cells recognised,
//! case-insensitively and in the common languages, as the company's name,
//! domain, country, city, LinkedIn page or the caller's id; every other
//! column is carried along to the results as it is.

use extract_batch::{BatchRecord, BatchRequest, Table};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Name,
    Domain,
    Country,
    City,
    Linkedin,
    Id,
}

impl Role {
    /// The role's name in a preview's mapping.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Name => "name",
            Role::Domain => "domain",
            Role::Country => "country",
            Role::City => "city",
            Role::Linkedin => "linkedin",
            Role::Id => "id",
        }
    }
}

/// Header words of each role (lowercase, `_` and `-` read as spaces).
const ROLES: &[(Role, &[&str])] = &[
    (
        Role::Name,
        &[
            "company name",
            "company",
            "name",
            "organization",
            "organisation",
            "organization name",
            "account",
            "account name",
            "business",
            "business name",
            "firma",
            "firmenname",
            "unternehmen",
            "société",
            "societe",
            "entreprise",
            "raison sociale",
            "nom",
            "nom de l'entreprise",
            "azienda",
            "ragione sociale",
            "empresa",
            "nombre",
            "razón social",
            "razon social",
            "bedrijf",
            "bedrijfsnaam",
            "naam",
            "organisatie",
        ],
    ),
    (
        Role::Domain,
        &[
            "domain",
            "website",
            "web site",
            "url",
            "site",
            "homepage",
            "web",
            "domaine",
            "site web",
            "site internet",
            "sito",
            "sito web",
            "dominio",
            "sitio web",
            "webseite",
            "internetseite",
            "webadresse",
            "domein",
        ],
    ),
    (
        Role::Country,
        &[
            "country",
            "country code",
            "land",
            "pays",
            "paese",
            "país",
            "pais",
            "nazione",
            "staat",
            "country name",
        ],
    ),
    (
        Role::City,
        &[
            "city",
            "town",
            "locality",
            "ort",
            "stadt",
            "ville",
            "città",
            "citta",
            "ciudad",
            "plaats",
            "stad",
            "localidad",
            "località",
        ],
    ),
    (
        Role::Linkedin,
        &[
            "linkedin",
            "linkedin url",
            "linkedin profile",
            "linkedin page",
            "company linkedin url",
        ],
    ),
    (
        Role::Id,
        &[
            "id",
            "external id",
            "crm id",
            "record id",
            "account id",
            "customer id",
            "company id",
            "kundennummer",
            "identifiant",
            "codice",
            "código",
            "codigo",
        ],
    ),
];

/// The role a header names, if any.
pub(crate) fn role_of(header: &str) -> Option<Role> {
    let h: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if matches!(c, '_' | '-') { ' ' } else { c })
        .collect();
    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((role, _)) = ROLES.iter().find(|(_, words)| words.contains(&h.as_str())) {
        return Some(*role);
    }
    (h.ends_with(" id") || h.ends_with(" nr") || h.ends_with(" no")).then_some(Role::Id)
}

/// The first column of each role in `header`.
pub(crate) fn mapping(header: &[String]) -> Vec<(Role, usize)> {
    let mut out: Vec<(Role, usize)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if let Some(role) = role_of(h) {
            if !out.iter().any(|(r, _)| *r == role) {
                out.push((role, i));
            }
        }
    }
    out
}

/// Whether a first row reads as a header: one of its cells names a role.
pub(crate) fn is_header(row: &[String]) -> bool {
    row.iter().any(|h| role_of(h).is_some())
}

/// Why a header cannot make records: it has no name nor domain column.
fn missing_name(header: &[String]) -> String {
    format!(
        "the file has no company name column nor domain column; its headers are {:?} (name one \
         company_name, company, name, firma, société…, or domain, website, url…)",
        header
    )
}

/// Puts the records of a table with a `header` (its first row) and `rows`,
/// read with the columns of each role given (`(role, column)`: see
/// [`mapping`]), and the table the batch keeps for the results, into
/// `request`; `Err` (the message) when no column holds a name or a domain.
/// Rows with neither are dropped.
pub(crate) fn put_table(
    request: &mut BatchRequest,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    map: &[(Role, usize)],
) -> Result<(), String> {
    let col = |role: Role| map.iter().find(|(r, _)| *r == role).map(|(_, i)| *i);
    if col(Role::Name).is_none() && col(Role::Domain).is_none() {
        return Err(missing_name(&header));
    }
    let mut records = Vec::with_capacity(rows.len());
    let mut kept = Vec::with_capacity(rows.len());
    for mut row in rows {
        row.resize(header.len(), String::new());
        let cell = |role: Role| {
            col(role)
                .map(|i| row[i].trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let record = BatchRecord {
            company_name: cell(Role::Name),
            domain: cell(Role::Domain),
            country: cell(Role::Country),
            city: cell(Role::City),
            linkedin_url: cell(Role::Linkedin),
            external_id: cell(Role::Id),
            ..BatchRecord::default()
        };
        if record.company_name.is_none() && record.domain.is_none() {
            continue;
        }
        records.push(record);
        kept.push(row);
    }
    request.table = Some(Table {
        id_column: col(Role::Id),
        columns: header,
        rows: kept,
    });
    request.items = records;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_are_recognised_in_the_common_languages() {
        for (h, role) in [
            ("Company_Name", Role::Name),
            ("Firma", Role::Name),
            ("Société", Role::Name),
            ("Ragione sociale", Role::Name),
            ("Website", Role::Domain),
            ("Sitio web", Role::Domain),
            ("Land", Role::Country),
            ("Pays", Role::Country),
            ("Ort", Role::City),
            ("Ville", Role::City),
            ("LinkedIn URL", Role::Linkedin),
            ("crm_id", Role::Id),
            ("Kundennummer", Role::Id),
        ] {
            assert_eq!(role_of(h), Some(role), "{h}");
        }
        assert_eq!(role_of("owner"), None);
        assert_eq!(role_of("notes"), None);
    }

    #[test]
    fn every_column_is_kept_and_the_roles_fill_the_records() {
        let header = strings(&["crm_id", "Firma", "Land", "owner", "notes"]);
        let rows = vec![
            strings(&["7", "Hoffmann Bau", "AT", "Kim", "a, b\nc"]),
            strings(&["8", "", "DE", "Lee", "no name: dropped"]),
            strings(&["9", "Globex"]),
        ];
        let mut request = BatchRequest::default();
        put_table(&mut request, header.clone(), rows, &mapping(&header)).unwrap();
        let (records, table) = (request.items, request.table.unwrap());
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].company_name.as_deref(), Some("Hoffmann Bau"));
        assert_eq!(records[0].country.as_deref(), Some("AT"));
        assert_eq!(records[0].external_id.as_deref(), Some("7"));
        assert_eq!(table.columns, header);
        assert_eq!(table.rows[1], strings(&["9", "Globex", "", "", ""]));
        assert_eq!(table.id_column, Some(0));
    }

    #[test]
    fn a_table_without_a_name_or_domain_column_says_which_headers_it_has() {
        let header = strings(&["crm_id", "owner"]);
        let map = mapping(&header);
        let err = put_table(&mut BatchRequest::default(), header, Vec::new(), &map).unwrap_err();
        assert!(err.contains("\"crm_id\", \"owner\""), "{err}");
    }
}
