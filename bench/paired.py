#!/usr/bin/env python3
"""Paired comparison of two strategies of one `hybridrec eval` run.

    HR_EVAL_HITS=/tmp/hits.tsv hybridrec eval ... --strategies A,B
    bench/paired.py /tmp/hits.tsv A_INDEX B_INDEX [K] [RESAMPLES]

The hits file has a line per prediction: protocol (a/b), session, strategy
index (the order of the printed table), 1-based rank of the target (0: not
listed).  For each protocol: HR@K and MRR@K of both, their difference, the
predictions where only one hits, and a 95 % interval of the HR@K and MRR@K
differences by a bootstrap over sessions (predictions of a session are
correlated), seeded (deterministic)."""
import random
import sys
from collections import defaultdict


def main():
    path, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    k = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    resamples = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
    # (protocol, session) -> list of (hit_a, hit_b, rr_a, rr_b)
    rows = defaultdict(dict)
    order = defaultdict(int)
    for line in open(path):
        proto, session, strat, rank = line.split()
        strat, rank = int(strat), int(rank)
        if strat not in (a, b):
            continue
        key = (proto, int(session))
        n = order[(proto, int(session), strat)]
        order[(proto, int(session), strat)] += 1
        rows[key].setdefault(n, [0, 0, 0.0, 0.0])
        hit = 1 if 0 < rank <= k else 0
        rr = 1.0 / rank if hit else 0.0
        slot = rows[key][n]
        if strat == a:
            slot[0], slot[2] = hit, rr
        else:
            slot[1], slot[3] = hit, rr
    rng = random.Random(15)
    for proto in ("a", "b"):
        sessions = [list(v.values()) for (p, _), v in sorted(rows.items()) if p == proto]
        if not sessions:
            continue
        per = [(len(s), sum(x[0] for x in s), sum(x[1] for x in s),
                sum(x[2] for x in s), sum(x[3] for x in s)) for s in sessions]
        n = sum(p[0] for p in per)
        ha, hb = sum(p[1] for p in per), sum(p[2] for p in per)
        ra, rb = sum(p[3] for p in per), sum(p[4] for p in per)
        only_a = sum(1 for s in sessions for x in s if x[0] and not x[1])
        only_b = sum(1 for s in sessions for x in s if x[1] and not x[0])
        dh, dr = [], []
        for _ in range(resamples):
            tn = th = tr = 0
            for _ in range(len(per)):
                p = per[rng.randrange(len(per))]
                tn += p[0]
                th += p[2] - p[1]
                tr += p[4] - p[3]
            dh.append(th / tn)
            dr.append(tr / tn)
        dh.sort()
        dr.sort()
        lo, hi = int(0.025 * resamples), int(0.975 * resamples) - 1
        print(f"({proto}) {n} predictions, {len(per)} sessions: HR@{k} {ha / n:.4f} -> {hb / n:.4f} "
              f"(diff {(hb - ha) / n:+.4f}, 95 % {dh[lo]:+.4f} .. {dh[hi]:+.4f}; only A hits {only_a}, "
              f"only B {only_b}); MRR@{k} {ra / n:.4f} -> {rb / n:.4f} (diff {(rb - ra) / n:+.4f}, "
              f"95 % {dr[lo]:+.4f} .. {dr[hi]:+.4f})")


if __name__ == "__main__":
    main()
