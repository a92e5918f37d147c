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
