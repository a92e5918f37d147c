//! The accuracy report: `cargo run --release -p extract-benches --example accuracy`.
//!
//! 1. The gold set (`../shared/corpus/gold/`): real company pages with
//!    hand-verified labels, per field kind: recall and wrong emitted values.
//! 2. The hard names (`../shared/corpus/hard_names/`): website choice end to
//!    end over loopback HTTP, right / wrong / no answer.
//! 3. Extraction on `../shared/corpus/html/` against other extractors'
//!    expected outputs, per source and field.
//! 4. The website picker on all Fortune 500 names through the sandbox's search.
//!
//! Every miss is printed.

use extract_benches::{accuracy, gold, hard_names};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let corpus = accuracy::corpus_dir();

    let gold = gold::score(&corpus.join("gold"))?;
    println!("{}", gold.render());
    println!(
        "gold: {:.1}% of labelled values found, {:.1}% of emitted values wrong\n",
        gold.recall() * 100.0,
        gold.wrong_share() * 100.0
    );
    // The two halves by a hash of the file name, and the first pages
    // against those added since: a rule written looking at one is judged
    // on the other.
    let dir = corpus.join("gold");
    for (name, part) in [
        (
            "half A",
            gold::score_where(&dir, |_, f| gold::half(f) == 0)?,
        ),
        (
            "half B",
            gold::score_where(&dir, |_, f| gold::half(f) == 1)?,
        ),
        (
            "first pages",
            gold::score_where(&dir, |i, _| i < gold::FIRST_PAGES)?,
        ),
        (
            "added pages",
            gold::score_where(&dir, |i, _| i >= gold::FIRST_PAGES)?,
        ),
    ] {
        let t = part.total();
        println!(
            "gold {name}: {}/{} found ({:.1}%), {}/{} wrong ({:.1}%)",
            t.found,
            t.labelled,
            part.recall() * 100.0,
            t.wrong,
            t.emitted,
            part.wrong_share() * 100.0
        );
    }
    println!();
    println!(
        "reliability, all 49 gold pages (share right per confidence band):\n{}",
        gold.reliability()
    );

    let cases = hard_names::cases(&corpus.join("hard_names/dev_hard_names.json"))?;
    let sandbox = hard_names::sandbox(&cases).await?;
    let pipeline = hard_names::pipeline(&sandbox)?;
    let names = hard_names::score(&pipeline, &cases).await;
    sandbox.shutdown().await;
    println!("{}", names.render());

    let mut scores = accuracy::structured_scores(&corpus);
    let other = accuracy::name_scores(&corpus);
    let (agreed, total) = accuracy::combined(&other);
    scores.extend(other);
    print!("{}", accuracy::render(&scores));
    println!(
        "\nnames and logos together: {agreed}/{total} = {:.1}%",
        agreed as f64 * 100.0 / total.max(1) as f64
    );
    let picker = accuracy::picker_score().await?;
    println!("\n{}", accuracy::render(&[picker]));
    Ok(())
}
