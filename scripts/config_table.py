#!/usr/bin/env python3
"""Regenerates README.md's configuration table from every binary's --help.

usage: scripts/config_table.py BIN_DIR   (rewrites the table between the
<!-- CONFIG-TABLE --> markers in README.md)
"""
import os
import re
import subprocess
import sys

bindir = sys.argv[1]
binaries = ["hybridrec-gateway", "hybridrec-broker", "interactions-svc", "content-svc",
            "collab-svc", "trending-svc", "rules-svc", "hybridrec"]
rows = {}
order = []
for b in binaries:
    out = subprocess.run([os.path.join(bindir, b), "--help"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"^\s{2}([A-Z][A-Z0-9_]{2,})\s{2,}(.*)$", line)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        # columns: DEFAULT (may be empty) then DESCRIPTION, separated by 2+ spaces
        parts = re.split(r"\s{2,}", rest.strip(), maxsplit=1)
        default, desc = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        if name == "NAME":
            continue
        if name not in rows:
            rows[name] = [default, desc, []]
            order.append(name)
        rows[name][2].append(b)
lines = ["| variable | default | meaning | read by |", "|---|---|---|---|"]
for name in order:
    default, desc, who = rows[name]
    who_s = "all" if len(who) >= len(binaries) - 1 else ", ".join(w.replace("hybridrec-", "") for w in who)
    desc = desc.replace("|", "\\|")
    lines.append(f"| `{name}` | `{default}` | {desc} | {who_s} |" if default else f"| `{name}` | | {desc} | {who_s} |")
table = "\n".join(lines)
readme = open("README.md").read()
start, end = "<!-- CONFIG-TABLE -->", "<!-- /CONFIG-TABLE -->"
if end in readme:
    readme = re.sub(re.escape(start) + ".*?" + re.escape(end), start + "\n" + table + "\n" + end, readme, flags=re.S)
else:
    readme = readme.replace(start, start + "\n" + table + "\n" + end)
open("README.md", "w").write(readme)
print(f"{len(order)} variables")
