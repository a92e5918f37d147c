#!/usr/bin/env python3
"""The industry a release build answers on the gold pages, scored without its
`alternatives` (the shared scorer reads those too), by halves of the pages.

Usage, from the repository's root after `cargo build --release -p extract-server`:

    python3 benches/scripts/industry_answer_alone.py [SERVER] [GOLD_DIR] [-v]

SERVER defaults to target/release/extract-server, GOLD_DIR to
../shared/corpus/gold (with its labels.json and industry.json). LinkedIn: the
answer's id among the label's best fits 1, among its broader labels 0.75;
NAICS right when its 4-digit group is one of the label's codes', right at the
sector when the first two digits are. Half A holds the pages whose file name's
SHA-1 is even, half B the others. `-v` lists the certain pages missed.
"""
import hashlib
import json
import subprocess
import sys

args = [a for a in sys.argv[1:] if a != "-v"]
verbose = "-v" in sys.argv[1:]
server = args[0] if args else "target/release/extract-server"
gold = (args[1] if len(args) > 1 else "../shared/corpus/gold").rstrip("/") + "/"

urls = {l["file"]: l.get("url") or f"https://{l.get('domain')}/" for l in json.load(open(gold + "labels.json"))}
rows = {}
for label in json.load(open(gold + "industry.json")):
    page = label["file"]
    out = subprocess.run(
        [server, "inspect", "--url", urls.get(page, "https://example.invalid/"), gold + page],
        capture_output=True, text=True, check=True,
    ).stdout
    industry = json.loads(out).get("industry") or {}
    industry = industry.get("value", industry)
    linkedin = str(industry["linkedin"]["id"]) if industry.get("linkedin") else None
    code = (industry.get("naics") or {}).get("code") or ""
    points = 1.0 if linkedin in label["best_fit"] else 0.75 if linkedin in label.get("broad_ok", []) else 0.0
    codes = [label["naics"]["best"]] + label["naics"].get("acceptable", [])
    group = len(code) >= 4 and any(len(c) >= 4 and c[:4] == code[:4] for c in codes)
    sector = bool(code) and any(c[:2] == code[:2] for c in codes)
    half = "A" if int(hashlib.sha1(page.encode()).hexdigest(), 16) % 2 == 0 else "B"
    certain = not label.get("uncertain") and bool(label["best_fit"])
    rows.setdefault(certain, []).append((half, points, group, sector, linkedin is not None))
    if verbose and certain and points < 1:
        print(f"  missed ({half}) {page}: {linkedin} {code}, labelled {label['best_fit']} {label['naics']['best']}")


def line(name, rs):
    return (f"{name}: LinkedIn {sum(r[1] for r in rs):g}/{len(rs)}, NAICS group {sum(r[2] for r in rs)}/{len(rs)}, "
            f"sector {sum(r[3] for r in rs)}/{len(rs)}, answered {sum(r[4] for r in rs)}")


for certain, name in [(True, "certain"), (False, "uncertain")]:
    rs = rows.get(certain, [])
    print(line(name, rs))
    for half in "AB":
        print("  " + line(f"half {half}", [r for r in rs if r[0] == half]))
