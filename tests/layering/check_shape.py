#!/usr/bin/env python3
"""The size rules of the product code (docs/style.md): no function over
MAX_FUNCTION lines (from its opening to its closing brace) and no serve file
(a service's serve.c, the gateway's endpoint files) over MAX_SERVE lines.
Tests, benchmarks and fuzz targets are not product code.

usage: check_shape.py SOURCE_DIR        lists the offenders; exit 1 if any
       check_shape.py --self-test"""
import os
import re
import sys
import tempfile

MAX_FUNCTION = 80
MAX_SERVE = 400
SKIP_DIRS = {"tests", "bench", "fuzz", "build", "build-test", "build-fuzz", "deploy",
             "dashboard", "node_modules", ".git"}
NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")


def product_files(root):
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
        for name in sorted(files):
            if name.endswith(".c"):
                yield os.path.join(dirpath, name)


def functions(text):
    """(name, first line, lines) of every function: a '{' alone at column 0
    after a signature ending in ')', up to the next '}' at column 0."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "{" and i > 0 and lines[i - 1].rstrip().endswith(")"):
            j = i - 1
            while j > 0 and lines[j - 1].strip() and not lines[j - 1].rstrip().endswith((";", "}", "*/")) \
                    and not lines[j - 1].startswith("#"):
                j -= 1
            m = NAME.search(" ".join(lines[j:i]))
            k = i + 1
            while k < len(lines) and not lines[k].startswith("}"):
                k += 1
            out.append((m.group(1) if m else "?", i + 1, k - i + 1))
            i = k
        i += 1
    return out


def serve_file(path):
    base = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(path))
    return base == "serve.c" or (parent == "api" and base.startswith("gw_"))


def check(root):
    bad = []
    for path in product_files(root):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        rel = os.path.relpath(path, root)
        for name, line, n in functions(text):
            if n > MAX_FUNCTION:
                bad.append("%s:%d: %s is %d lines (max %d)" % (rel, line, name, n, MAX_FUNCTION))
        nlines = text.count("\n")
        if serve_file(path) and nlines > MAX_SERVE:
            bad.append("%s: %d lines (a serve file, max %d)" % (rel, nlines, MAX_SERVE))
    return bad


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "a-svc", "tests"))
        short = "static int\nf (int x)\n{\n    return x;\n}\n"
        long = "int\ng (void)\n{\n" + "    x++;\n" * (MAX_FUNCTION + 1) + "}\n"
        with open(os.path.join(tmp, "a-svc", "serve.c"), "w") as f:
            f.write(short)
        assert not check(tmp), check(tmp)
        with open(os.path.join(tmp, "a-svc", "tests", "test_x.c"), "w") as f:
            f.write(long)
        assert not check(tmp), "tests are not product code"
        with open(os.path.join(tmp, "a-svc", "serve.c"), "w") as f:
            f.write(long)
        bad = check(tmp)
        assert len(bad) == 1 and " g is " in bad[0], bad
        with open(os.path.join(tmp, "a-svc", "serve.c"), "w") as f:
            f.write(short * (MAX_SERVE // 5 + 1))
        bad = check(tmp)
        assert len(bad) == 1 and "serve file" in bad[0], bad
    print("shape: self-test passed")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    offenders = check(os.path.abspath(sys.argv[1]))
    for line in offenders:
        print("shape: " + line)
    if not offenders:
        print("shape: no function over %d lines, no serve file over %d lines"
              % (MAX_FUNCTION, MAX_SERVE))
    sys.exit(1 if offenders else 0)
