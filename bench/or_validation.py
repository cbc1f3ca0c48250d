#!/usr/bin/env python3
"""A validation split of Online Retail's exported train part, built as the
test is (bench/served_eval.py export: invoices in time order, the first
80 % train with customers as sessions, each later invoice a session): the
train's invoices in time order, the first 80 % as vtrain.tsv (customers as
sessions), each later one a session of vtest.tsv.  Variants are chosen on
it; the test is never read.

    python3 bench/served_eval.py export online-retail /tmp/or
    python3 bench/or_validation.py /tmp/or      # writes /tmp/or/vtrain.tsv, vtest.tsv
    hybridrec eval --dataset yoochoose --train /tmp/or/vtrain.tsv --test /tmp/or/vtest.tsv \\
      --catalog /tmp/or/catalog.csv --strategies collab_live,content,seqrules,hybrid_ltr

An invoice is a train session's clicks of one time to the second (the
export spaces an invoice's lines 1 ms apart)."""
import os
import sys


def main():
    work = sys.argv[1]
    with open(os.path.join(work, "train.tsv")) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    invoices = sorted({(int(float(t)), s) for s, _, t in rows})
    cut = invoices[int(0.8 * len(invoices))][0]
    ids = {}
    test = []
    for s, item, t in rows:
        if int(float(t)) >= cut:
            key = (s, int(float(t)))
            ids.setdefault(key, 10_000_000 + len(ids))
            test.append((str(ids[key]), item, t))
    test.sort(key=lambda r: (int(r[0]), float(r[2])))
    train = [r for r in rows if int(float(r[2])) < cut]
    for name, part in (("vtrain.tsv", train), ("vtest.tsv", test)):
        with open(os.path.join(work, name), "w") as f:
            f.write("SessionId\tItemId\tTime\n")
            for r in part:
                f.write("\t".join(r) + "\n")
    print("%s: vtrain.tsv %d clicks, vtest.tsv %d clicks in %d invoices"
          % (work, len(train), len(test), len(ids)))


if __name__ == "__main__":
    main()
