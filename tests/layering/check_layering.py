#!/usr/bin/env python3
"""The layering rule of the tree: a component folder (every *-svc/ service
and gateway/) depends only on common/ (and, in its tests, on the test
harness).  It never includes a header of another component, of cli/ or of
eval/; cli/ and eval/ may use everything.

usage: check_layering.py SOURCE_DIR [BINARY_DIR]
       check_layering.py --self-test

Two independent looks, so neither an include path nor a relative path
slips through:
  1. every `#include "..."` of the component's sources, resolved the way the
     compiler searches (the including file's folder, the component, common/,
     the harness); a header found only in a forbidden folder is a violation,
     and so is a relative path that leaves the allowed folders;
  2. when BINARY_DIR holds the compiler's dependency files (*.o.d), every
     header the compiler actually read for a component's object.
(Linking another component's library is refused when CMake configures:
 cmake/hr_layering.cmake.)  Exit 0 when clean, 1 with one line per
violation."""
import os
import re
import shutil
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
ALLOWED_SHARED = ("common", os.path.join("tests", "harness"))


def components(root):
    names = sorted(d for d in os.listdir(root)
                   if d.endswith("-svc") and os.path.isdir(os.path.join(root, d)))
    if os.path.isdir(os.path.join(root, "gateway")):
        names.append("gateway")
    return names


def forbidden_for(root, comp):
    return [c for c in components(root) if c != comp] + ["cli", "eval"]


def inside(path, folder):
    return os.path.commonpath([path, folder]) == folder


def check_sources(root):
    bad = []
    for comp in components(root):
        cdir = os.path.join(root, comp)
        allowed = [cdir] + [os.path.join(root, a) for a in ALLOWED_SHARED]
        #  a component's own subfolders (gateway/http, gateway/api) are on
        #  its include path too
        own = [os.path.join(cdir, d) for d in sorted(os.listdir(cdir))
               if os.path.isdir(os.path.join(cdir, d)) and d != "tests"]
        forbidden = [os.path.join(root, f) for f in forbidden_for(root, comp)]
        for dirpath, _, files in os.walk(cdir):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    where = s_resolve(inc, [dirpath] + own, allowed, forbidden)
                    if where:
                        bad.append("%s: includes \"%s\" (%s)"
                                   % (os.path.relpath(path, root), inc,
                                      os.path.relpath(where, root)))
    return bad


def s_resolve(inc, first, allowed, forbidden):
    """None when `inc` is found in an allowed folder (or nowhere: a system
    or generated header); else the forbidden file it would be.  `first`:
    the folders searched before `allowed` (the including file's, the
    component's subfolders)."""
    search = first + allowed
    for base in search:
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.isfile(cand):
            return None if any(inside(cand, a) for a in allowed) else cand
    for base in forbidden:
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.isfile(cand):
            return cand
        hit = os.path.join(base, os.path.basename(inc))
        if os.path.isfile(hit):
            return hit
    return None


def s_live_target_dirs(build):
    """The object folders of the targets CMake knows now (a target moved to
    another folder leaves its old objects behind), or None when unknown."""
    listing = os.path.join(build, "CMakeFiles", "TargetDirectories.txt")
    if not os.path.isfile(listing):
        return None
    with open(listing) as f:
        return [os.path.realpath(line.strip()) for line in f if line.strip()]


def check_fuzz(root):
    """fuzz/ targets include common/ headers, their own, and of a service
    only its public header "<name>-svc/<name>.h"."""
    bad = []
    fdir = os.path.join(root, "fuzz")
    if not os.path.isdir(fdir):
        return bad
    svcs = [c for c in components(root) if c.endswith("-svc")]
    for name in sorted(os.listdir(fdir)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(fdir, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            head = inc.split("/")[0]
            if head in svcs and inc != "%s/%s.h" % (head, head[:-len("-svc")]):
                bad.append("fuzz/%s: includes \"%s\" (not %s's public header)"
                           % (name, inc, head))
            elif "/" not in inc and any(os.path.isfile(os.path.join(root, c, inc))
                                        for c in svcs) \
                    and not os.path.isfile(os.path.join(fdir, inc)) \
                    and not os.path.isfile(os.path.join(root, "common", inc)):
                bad.append("fuzz/%s: includes \"%s\" (a service's private header)"
                           % (name, inc))
    return bad


def check_depfiles(root, build):
    bad = []
    live = s_live_target_dirs(build)
    for comp in components(root):
        objdir = os.path.join(build, comp)
        if not os.path.isdir(objdir):
            continue
        forbidden = [os.path.join(root, f) for f in forbidden_for(root, comp)]
        for dirpath, _, files in os.walk(objdir):
            real = os.path.realpath(dirpath)
            if live is not None and not any(inside(real, t) for t in live):
                continue
            for name in files:
                if not name.endswith(".o.d"):
                    continue
                with open(os.path.join(dirpath, name), errors="replace") as f:
                    deps = f.read().replace("\\\n", " ").split()
                #  a stale object of a source since moved away says nothing
                if len(deps) < 2 or not os.path.isfile(deps[1]):
                    continue
                for dep in deps[1:]:
                    dep = os.path.normpath(dep.rstrip(":"))
                    if os.path.isabs(dep) and any(inside(dep, f) for f in forbidden):
                        bad.append("%s: object %s read %s" % (comp, name,
                                   os.path.relpath(dep, root)))
    return sorted(set(bad))


def run(root, build=None):
    bad = check_sources(root) + check_fuzz(root)
    if build:
        bad += check_depfiles(root, build)
    for line in bad:
        print("layering: " + line)
    if not bad:
        print("layering: %d component folders depend only on common/"
              % len(components(root)))
    return 1 if bad else 0


def self_test():
    """The check must fail on each kind of violation and pass on a clean tree."""
    tmp = tempfile.mkdtemp()
    try:
        def write(rel, text):
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        write("common/hr_log.h", "")
        write("a-svc/a.c", '#include "a.h"\n#include "hr_log.h"\n#include <stdio.h>\n')
        write("a-svc/a.h", "")
        write("b-svc/serve.h", "")
        write("b-svc/fpgrowth.h", "")
        write("eval/eval.h", "")
        write("cli/hr_cli.h", "")
        assert not check_sources(tmp), check_sources(tmp)
        cases = ['#include "fpgrowth.h"\n', '#include "../b-svc/serve.h"\n',
                 '#include "hr_cli.h"\n', '#include "eval.h"\n']
        for case in cases:
            write("a-svc/tests/test_x.c", case)
            assert check_sources(tmp), case
        os.remove(os.path.join(tmp, "a-svc/tests/test_x.c"))
        write("fuzz/fuzz_a.c", '#include "a-svc/a.h"\n#include "hr_log.h"\n')
        assert not check_fuzz(tmp), check_fuzz(tmp)
        for case in ['#include "a-svc/serve.h"\n', '#include "a.h"\n']:
            write("fuzz/fuzz_b.c", case)
            assert check_fuzz(tmp), case
        os.remove(os.path.join(tmp, "fuzz/fuzz_b.c"))
        write("build/a-svc/CMakeFiles/hr_a.dir/a.c.o.d",
              "a.c.o: %s/a-svc/a.c \\\n %s/b-svc/serve.h\n" % (tmp, tmp))
        assert check_depfiles(tmp, os.path.join(tmp, "build"))
        write("build/a-svc/CMakeFiles/hr_a.dir/a.c.o.d",
              "a.c.o: %s/a-svc/gone.c \\\n %s/b-svc/serve.h\n" % (tmp, tmp))
        assert not check_depfiles(tmp, os.path.join(tmp, "build"))
    finally:
        shutil.rmtree(tmp)
    print("layering: self-test passed")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(run(os.path.abspath(sys.argv[1]),
                 os.path.abspath(sys.argv[2]) if len(sys.argv) == 3 else None))
