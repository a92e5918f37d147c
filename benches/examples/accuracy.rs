//! The accuracy report: `cargo run --release -p extract-benches --example accuracy`.
//!
//! Extraction on `../shared/corpus/html/` against the expected outputs there,
//! per source and field, then the website picker on all Fortune 500 names
//! through the sandbox's search over loopback HTTP.

use extract_benches::accuracy;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let corpus = accuracy::corpus_dir();
    let mut scores = accuracy::structured_scores(&corpus);
    let names = accuracy::name_scores(&corpus);
    let (agreed, total) = accuracy::combined(&names);
    scores.extend(names);
    print!("{}", accuracy::render(&scores));
    println!(
        "\nnames and logos together: {agreed}/{total} = {:.1}%",
        agreed as f64 * 100.0 / total.max(1) as f64
    );
    let picker = accuracy::picker_score().await?;
    println!("\n{}", accuracy::render(&[picker]));
    Ok(())
}
