#!/usr/bin/env python3
"""A validation split of Online Retail's exported train part, built as the
test is (bench/served_eval.py export: invoices in time order, the first
80 % train with customers as sessions, each later invoice a session): the
train's invoices in time order, the first 80 % as vtrain.tsv (customers as
sessions), each later one a session of vtest.tsv.  Variants are chosen on
it; the test is never read.

    python3 bench/served_eval.py export online-retail /tmp/or
    python3 bench/or_validation.py /tmp/or      # writes /tmp/or/vtrain.tsv, vtest.tsv
    python3 bench/or_validation.py /tmp/or 0.6  # another split: vtrain-60.tsv, vtest-60.tsv
    hybridrec eval --dataset yoochoose --train /tmp/or/vtrain.tsv --test /tmp/or/vtest.tsv \\
      --catalog /tmp/or/catalog.csv --strategies collab_live,content,seqrules,hybrid_ltr

An invoice is a train session's clicks of one time to the second (the
export spaces an invoice's lines 1 ms apart)."""
import os
import sys


def main():
    work = sys.argv[1]
    share = float(sys.argv[2]) if len(sys.argv) > 2 else 0.8
    tag = "" if share == 0.8 else "-%d" % round(share * 100)
    with open(os.path.join(work, "train.tsv")) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    invoices = sorted({(int(float(t)), s) for s, _, t in rows})
    cut = invoices[int(share * len(invoices))][0]
    ids = {}
    test = []
    for s, item, t in rows:
        if int(float(t)) >= cut:
            key = (s, int(float(t)))
            ids.setdefault(key, 10_000_000 + len(ids))
            test.append((str(ids[key]), item, t))
    test.sort(key=lambda r: (int(r[0]), float(r[2])))
    train = [r for r in rows if int(float(r[2])) < cut]
    for name, part in (("vtrain%s.tsv" % tag, train), ("vtest%s.tsv" % tag, test)):
        with open(os.path.join(work, name), "w") as f:
            f.write("SessionId\tItemId\tTime\n")
            for r in part:
                f.write("\t".join(r) + "\n")
    print("%s: vtrain%s.tsv %d clicks, vtest%s.tsv %d clicks in %d invoices"
          % (work, tag, len(train), tag, len(test), len(ids)))


if __name__ == "__main__":
    main()
