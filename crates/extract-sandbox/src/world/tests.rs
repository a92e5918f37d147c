use super::*;

#[test]
fn deterministic_and_complete() {
    let a = World::new(800, 7);
    let b = World::new(800, 7);
    assert_eq!(a.companies().len(), 800);
    assert_eq!(a.companies()[650].name, b.companies()[650].name);
    assert_eq!(a.companies()[3].style, b.companies()[3].style);
    let walmart = a.lookup("Walmart Inc.").unwrap();
    assert_eq!(walmart.host, "www.walmart.com");
    assert_eq!(a.by_host("walmart.com").unwrap().name, "Walmart");
    assert_eq!(a.lookup("walmart.com").unwrap().name, "Walmart");
    assert_eq!(a.truth(walmart).domain, "walmart.com");
    assert_eq!(
        a.truth(walmart).serp_profiles.len(),
        a.truth(walmart)
            .serp_profiles
            .iter()
            .filter(|p| p.starts_with("https://"))
            .count()
    );
    let c = World::new(800, 8);
    assert_ne!(a.companies()[650].name, c.companies()[650].name);
}

/// A world past the drawn names' space (about 25,000) still builds, every
/// company distinct by name and by host, and one that fits in it is the
/// same as before the numbered names existed.
#[test]
fn large_worlds_have_distinct_numbered_companies() {
    let w = World::new(60_000, 3);
    assert_eq!(w.companies().len(), 60_000);
    let names: std::collections::HashSet<String> =
        w.companies().iter().map(|c| key(&c.name)).collect();
    assert_eq!(names.len(), 60_000);
    // Generated companies never share a site with any other (the Fortune
    // 500 list itself has one domain twice).
    let fortune = World::new(1, 3).companies().len();
    let mut hosts: std::collections::HashSet<&str> = w.companies()[..fortune]
        .iter()
        .map(|c| c.domain.as_str())
        .collect();
    for c in &w.companies()[fortune..] {
        assert!(hosts.insert(c.domain.as_str()), "{} shared", c.domain);
    }
    assert!(w
        .companies()
        .iter()
        .any(|c| c.name.ends_with(&format!(" {}", c.index))));
    // Every company is found by its name and its host.
    let last = &w.companies()[59_999];
    assert_eq!(w.lookup(&last.name).map(|c| c.index), Some(59_999));
    assert_eq!(w.by_host(&last.domain).map(|c| c.index), Some(59_999));
    // Small worlds draw their names as before: none numbered.
    let small = World::new(2_000, 3);
    assert!(small
        .companies()
        .iter()
        .all(|c| !c.name.ends_with(&format!(" {}", c.index))));
}
