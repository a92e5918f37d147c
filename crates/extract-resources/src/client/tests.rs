use super::*;

#[test]
fn credentials_stay_with_their_origin() {
    let u = |s: &str| url::Url::parse(s).unwrap();
    let keeps = |a: &str, b: &str| keeps_credentials(&u(a), &u(b));
    assert!(keeps("https://api.example/a?k=1", "https://api.example/b"));
    assert!(keeps("http://api.example/a", "https://api.example/a"));
    assert!(
        !keeps("https://api.example/a", "http://api.example/a"),
        "https to http"
    );
    assert!(!keeps("https://api.example/a", "https://evil.example/a"));
    assert!(!keeps(
        "https://api.example/a",
        "https://api.example:8443/a"
    ));
    assert!(!keeps("https://api.example/a", "https://sub.api.example/a"));
}
