//! The accuracy targets, on the corpus beside the checkout and the sandbox.

use extract_benches::accuracy;

#[test]
fn structured_data_agrees_with_extruct() {
    let scores = accuracy::structured_scores(&accuracy::corpus_dir());
    print!("{}", accuracy::render(&scores));
    for s in &scores {
        assert!(
            s.total > 0,
            "{} {}: nothing compared (is ../shared/corpus there?)",
            s.source,
            s.field
        );
        assert!(
            s.share() >= 0.95,
            "{} {}: {:.1}%",
            s.source,
            s.field,
            s.share() * 100.0
        );
    }
}

#[test]
fn names_and_logos_agree_with_metascraper_readability_trafilatura() {
    let scores = accuracy::name_scores(&accuracy::corpus_dir());
    print!("{}", accuracy::render(&scores));
    let (agreed, total) = accuracy::combined(&scores);
    assert!(total >= 30, "only {total} expectations compared");
    let share = agreed as f64 / total as f64;
    assert!(
        share >= 0.90,
        "names and logos: {agreed}/{total} = {:.1}%",
        share * 100.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn website_picker_on_the_fortune_500() {
    let score = accuracy::picker_score().await.unwrap();
    print!("{}", accuracy::render(std::slice::from_ref(&score)));
    assert_eq!(score.total, 500);
    assert!(score.share() >= 0.98, "{:.1}%", score.share() * 100.0);
}
