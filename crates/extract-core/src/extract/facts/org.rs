//! A page's facts about an organisation: from a structured-data
//! Organization (or microdata), and the legal identifiers in its text.

use super::*;

impl PageFacts {
    /// The page's identifiers: a checked number under its label is strong
    /// evidence (0.9); a register entry has no check digits to verify it
    /// by, so it stays below the 0.8 a caller may act on unseen (0.75).
    pub(super) fn add_identifiers(&mut self, body: &str) {
        let found = crate::extract::identifiers::identifiers(body);
        let ids = &mut self.identifiers;
        let field = |v, w| {
            let mut f = Field::new(v, &self.url, Method::Text);
            f.confidence = w;
            f
        };
        if ids.vat_id.is_none() {
            ids.vat_id = found.vat_ids.into_iter().next().map(|v| field(v, 0.9));
        }
        if ids.register.is_none() {
            ids.register = found.registers.into_iter().next().map(|r| {
                let mut f = Field::new(r, &self.url, Method::Text);
                f.confidence = 0.75;
                f
            });
        }
        if ids.company_number.is_none() {
            ids.company_number = found
                .company_numbers
                .into_iter()
                .next()
                .map(|v| field(v, 0.9));
        }
        if ids.lei.is_none() {
            ids.lei = found.leis.into_iter().next().map(|v| field(v, 0.9));
        }
    }

    pub(super) fn add_org(
        &mut self,
        org: &OrgFacts,
        method: Method,
        role: Role,
        resolve_url: &dyn Fn(&str) -> Option<Url>,
    ) {
        let resolve = |href: &str| resolve_url(href).map(String::from);
        let w = role.weight();
        if role != Role::Related {
            for t in &org.types {
                if !self.schema_types.contains(t) {
                    self.schema_types.push(t.clone());
                }
            }
            for i in &org.industries {
                if self.industries.len() < 16 && !self.industries.contains(i) {
                    self.industries.push(i.clone());
                }
            }
        }
        if let Some(v) = &org.name {
            self.names.push(self.field(v.clone(), method, w));
            if role == Role::Publisher {
                self.site_names.push(self.field(v.clone(), method, 0.8));
            }
        }
        if let Some(v) = &org.legal_name {
            self.legal_names.push(self.field(v.clone(), method, w));
        }
        if role == Role::Related {
            // A brand or manufacturer is somebody else: its name and logo may
            // stand in when nothing better exists, nothing more.
            if let Some(v) = org.logo.as_deref().and_then(resolve) {
                self.logos.push(self.field(v, method, w));
            }
            return;
        }
        if let Some(v) = &org.description {
            self.descriptions.push(self.field(v.clone(), method, w));
        }
        // Structured identifiers of the page's own organisation, checked
        // like those in the text; they come before the text's.
        if role == Role::Primary {
            if let Some(v) = org
                .vat_id
                .as_deref()
                .and_then(crate::extract::identifiers::structured_vat)
            {
                self.identifiers.vat_id = Some(self.field(v, method, 1.0));
            }
            if let Some(v) = org
                .lei
                .as_deref()
                .and_then(crate::extract::identifiers::structured_lei)
            {
                self.identifiers.lei = Some(self.field(v, method, 1.0));
            }
        }
        if let Some(v) = org.logo.as_deref().and_then(resolve) {
            self.logos.push(self.field(v, method, w));
        }
        for s in &org.same_as {
            // Only a social network's address can be a profile: the others
            // (an encyclopedia's data item, a register) are not parsed. As
            // a link's, the address is parsed once.
            if !may_be_social(&s.trim().to_ascii_lowercase()) {
                continue;
            }
            if let Some(p) = resolve_url(s).as_ref().and_then(social_profile_of) {
                self.social.push(self.field(p, method, w));
            }
        }
        if let Some(a) = &org.address {
            self.addresses.push(self.field(a.clone(), method, w));
        }
        for p in &org.phones {
            if let Some(p) = text::clean_phone(p) {
                self.phones.push(self.field(p, method, w));
            }
        }
        for e in &org.emails {
            if text::plausible_email(e) && e.contains('@') {
                self.emails.push(self.field(e.clone(), method, w));
            }
        }
        if let Some(y) = org.founded {
            self.founded.push(self.field(y, method, w));
        }
        if let Some(n) = org.employees {
            self.employees.push(self.field(n, method, w));
        }
        for k in &org.keywords {
            if self.keywords.len() < 32 && !self.keywords.contains(k) {
                self.keywords.push(k.clone());
            }
        }
    }
}
