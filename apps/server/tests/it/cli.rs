//! The command line: `inspect` on a saved page, and start-up errors.

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_extract-server"))
}

#[test]
fn inspect_prints_the_profile_of_a_saved_page() {
    let page = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/html/adbar-trafilatura__fincompare.de.firmenwagen.html"
    );
    let out = server()
        .args([
            "inspect",
            page,
            "--url",
            "https://www.fincompare.de/firmenwagen",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let profile: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(profile["domain"], "fincompare.de");
    assert_eq!(profile["name"]["source"]["method"], "json-ld");
    assert!(
        profile["social"].as_array().is_some_and(|s| !s.is_empty()),
        "{profile}"
    );

    let out = server()
        .args([
            "inspect",
            page,
            "--url",
            "https://www.fincompare.de/",
            "--structured",
        ])
        .output()
        .unwrap();
    let structured: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(structured["jsonld"]
        .as_array()
        .is_some_and(|j| !j.is_empty()));

    let missing = server()
        .args(["inspect", "/nonexistent.html", "--url", "https://x.com/"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(66));
    let bad_url = server()
        .args(["inspect", page, "--url", "not a url"])
        .output()
        .unwrap();
    assert_eq!(bad_url.status.code(), Some(64));
}

/// A directory of pages: one JSON line per page, each with its own address.
#[test]
fn inspect_reads_a_directory_of_pages_in_one_process() {
    let gold = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/gold");
    let out = server().args(["inspect", gold]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pages = std::fs::read_dir(gold)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "html"))
        })
        .count();
    assert_eq!(lines.len(), pages);
    assert!(lines.iter().all(|l| l["profile"]["domain"].is_string()));
    assert!(lines.iter().any(|l| l["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://www."))));
}

#[test]
fn a_keyed_provider_without_a_key_stops_the_start_naming_the_setting() {
    let out = server()
        .env("EXTRACT_SEARCH__PROVIDER", "brave")
        .env_remove("EXTRACT_SEARCH__API_KEY")
        .args(["--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("search.api_key"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

/// A fresh directory under the system's temporary folder.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "extract-cli-{name}-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn batch_cmd() -> Command {
    let mut c = server();
    // The in-process sandbox and memory stores, whatever the environment says.
    c.env_remove("REDIS_URL")
        .env_remove("EXTRACT_CACHE__REDIS_URL")
        .env("EXTRACT_SANDBOX__LATENCY_MS", "0");
    c
}

#[test]
fn batch_runs_a_csv_of_names_and_writes_an_xlsx_read_back_by_calamine() {
    use calamine::{open_workbook, Data, Reader, Xlsx};

    let dir = scratch("xlsx");
    let input = dir.join("companies.csv");
    std::fs::write(
        &input,
        "id,company_name,note\n1,Walmart,a\n2,Apple,b\n3,\"=HYPERLINK(\"\"http://x\"\")\",c\n4,,empty\n5,apple,dup\n6,Exxon Mobil,d\n",
    )
    .unwrap();
    let out_path = dir.join("out.xlsx");
    let out = batch_cmd()
        .args([
            "batch",
            input.to_str().unwrap(),
            "--sandbox",
            "--format",
            "xlsx",
        ])
        .args(["--out", out_path.to_str().unwrap(), "--priority", "high"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("5 lines, 4 companies"), "{stderr}");

    let mut book: Xlsx<_> = open_workbook(&out_path).unwrap();
    let sheet = book.worksheet_range("Companies").unwrap();
    let text = |r: usize, c: usize| match sheet.get((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("not text: {other:?}"),
    };
    let header: Vec<String> = (0..sheet.width()).map(|c| text(0, c)).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(sheet.height(), 1 + 5, "a header and one row per line");
    let queries: Vec<String> = (1..6).map(|r| text(r, col("query"))).collect();
    assert_eq!(
        queries,
        // The formula is neutralised: a text cell a spreadsheet never evaluates.
        [
            "Walmart",
            "Apple",
            "'=HYPERLINK(\"http://x\")",
            "apple",
            "Exxon Mobil"
        ]
    );

    let domains: Vec<String> = (1..6).map(|r| text(r, col("domain"))).collect();
    assert_eq!(
        domains,
        [
            "walmart.com",
            "apple.com",
            "",
            "apple.com",
            "exxonmobil.com"
        ]
    );
    assert_eq!(text(3, col("outcome")), "failed");
    // The file's own columns come back first, each on its row (the line
    // with no name is not a company).
    assert_eq!(header[..3], ["id", "company_name", "note"]);
    let notes: Vec<String> = (1..6).map(|r| text(r, 2)).collect();
    assert_eq!(notes, ["a", "b", "c", "dup", "d"]);
    assert!(book.worksheet_range("Errors").unwrap().height() == 2);
    assert!(
        !dir.join(".out.xlsx.partial").exists(),
        "the temporary file is gone"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_reads_plain_lines_and_writes_csv_beside_the_input_by_default() {
    let dir = scratch("csv");
    let input = dir.join("names.txt");
    std::fs::write(&input, "Walmart\n\nQwxzv Nonexistent Holdings\nApple\n").unwrap();
    let out = batch_cmd()
        .args(["batch", input.to_str().unwrap(), "--sandbox", "--quiet"])
        .args(["--mode", "comprehensive", "--provenance"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let mut reader = csv::Reader::from_path(dir.join("names.results.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    assert!(header.iter().any(|h| h == "website_source"), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let field = |r: &csv::StringRecord, name: &str| {
        r.get(header.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (field(r, "query"), field(r, "outcome")))
        .collect();
    assert_eq!(
        got,
        [
            ("Walmart".to_owned(), "succeeded".to_owned()),
            ("Qwxzv Nonexistent Holdings".to_owned(), "failed".to_owned()),
            ("Apple".to_owned(), "succeeded".to_owned()),
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--retry-failed` on an export: its failed rows run again and are
/// replaced in place, keeping their line; the other rows stay as they were.
#[test]
fn batch_retry_failed_reruns_the_failed_rows_of_an_export() {
    let dir = scratch("retry");
    let input = dir.join("names.txt");
    std::fs::write(&input, "Walmart\nQwxzv Nonexistent Holdings\nApple\n").unwrap();
    let out = batch_cmd()
        .args(["batch", input.to_str().unwrap(), "--sandbox", "--quiet"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export = dir.join("names.results.csv");
    // As if Apple had failed the first time (a timeout, say).
    let first = std::fs::read_to_string(&export).unwrap();
    let mut lines: Vec<String> = first.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let outcome = header.iter().position(|h| *h == "outcome").unwrap();
    let mut apple: Vec<String> = lines[3].split(',').map(str::to_owned).collect();
    assert_eq!(apple[1], "Apple");
    apple[outcome] = "failed".to_owned();
    lines[3] = apple.join(",");
    let walmart_before = lines[1].clone();
    std::fs::write(&export, lines.join("\n") + "\n").unwrap();

    let retry_failed = || {
        batch_cmd()
            .args([
                "batch",
                export.to_str().unwrap(),
                "--sandbox",
                "--quiet",
                "--retry-failed",
            ])
            .output()
            .unwrap()
    };
    let out = retry_failed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Only the two failed rows ran.
    assert!(stderr.contains("2 lines, 2 companies"), "{stderr}");
    let mut reader = csv::Reader::from_path(&export).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let field = |r: &csv::StringRecord, name: &str| {
        r.get(header.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (field(r, "index"), field(r, "query"), field(r, "outcome")))
        .collect();
    assert_eq!(
        got,
        [
            ("0".to_owned(), "Walmart".to_owned(), "succeeded".to_owned()),
            (
                "1".to_owned(),
                "Qwxzv Nonexistent Holdings".to_owned(),
                "failed".to_owned()
            ),
            ("2".to_owned(), "Apple".to_owned(), "succeeded".to_owned()),
        ]
    );
    assert_eq!(field(&rows[2], "domain"), "apple.com");
    let after = std::fs::read_to_string(&export).unwrap();
    assert_eq!(
        after.lines().nth(1).unwrap(),
        walmart_before,
        "an untouched row stays as written"
    );

    // Nothing failed in a file without failures: said, and exit 65.
    std::fs::write(
        &export,
        format!("{}\n{walmart_before}\n", first.lines().next().unwrap()),
    )
    .unwrap();
    let out = retry_failed();
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to retry"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The JSON export is one array, written a chunk of rows at a time: every
/// line in order, whatever its outcome.
#[test]
fn batch_writes_a_json_array_of_every_line() {
    let dir = scratch("json");
    let input = dir.join("names.txt");
    std::fs::write(
        &input,
        "Walmart\nQwxzv Nonexistent Holdings\nApple\nwalmart\n",
    )
    .unwrap();
    let out = batch_cmd()
        .args(["batch", input.to_str().unwrap(), "--sandbox", "--quiet"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("names.results.json")).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["query"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("Walmart", "succeeded"),
            ("Qwxzv Nonexistent Holdings", "failed"),
            ("Apple", "succeeded"),
            ("walmart", "succeeded"),
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_input_problems_exit_with_sysexits_codes() {
    let dir = scratch("bad");
    let missing = batch_cmd()
        .args(["batch", dir.join("nope.txt").to_str().unwrap(), "--sandbox"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.txt"));

    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "\n  \n").unwrap();
    let out = batch_cmd()
        .args(["batch", empty.to_str().unwrap(), "--sandbox"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no company names"));

    let names = dir.join("names.txt");
    std::fs::write(&names, "Walmart\n").unwrap();
    let out = batch_cmd()
        .args(["batch", names.to_str().unwrap(), "--sandbox", "--quiet"])
        .args(["--out", dir.join("missing-dir/x.csv").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(73));
    std::fs::remove_dir_all(&dir).unwrap();
}
