#!/usr/bin/env python3
"""served_eval — what a shopper receives: replays a held-out log through a
running stack's REST API and reports new-item HR / MRR / NDCG of /home.

  served_eval.py prepare DATASET WORK        writes WORK/catalog.csv (the products
                                             with their real or synthetic names)
  served_eval.py train   DATASET WORK BASE   posts the train part as users through
                                             POST /api/v1/interactions/interactions
  served_eval.py test    DATASET WORK BASE [--sessions N] [--seed S] [--threads T]
                                             clicks each test session item by item;
                                             after each click GET /recommendations/home
                                             and checks whether the next NEW item of the
                                             session is in personalized[:20]
  served_eval.py export  DATASET WORK        writes WORK/train.tsv, WORK/test.tsv (and catalog.csv), the
                                             same split in the YOOCHOOSE file format
                                             (SessionId, ItemId, Time), for the offline
                                             `hybridrec eval --dataset yoochoose`

DATASET: yoochoose (../shared/data/yoochoose-rsc15-100k, train/test files as
given) or online-retail (../shared/data/online-retail/Online Retail.csv:
regular invoices in time order, the first 80 % train with customers as users
(an invoice without a customer is its own user), each later invoice a new user).
The protocol is `hybridrec eval`'s (b) "new items only": test items never seen
in the train part are dropped, then sessions shorter than 2 clicks; a target
already in the session's history is skipped.  Each test session is a fresh
user id.  bench/served_eval.sh runs the whole thing on a throwaway stack.
Python 3 standard library only.
"""
import csv
import http.client
import json
import math
import os
import random
import sys
import threading
import time
import urllib.parse
import zlib
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("HR_DATA", os.path.join(HERE, "..", "..", "shared", "data"))
K = 20


# --- data sets -------------------------------------------------------------

def pid_of(code):
    """A product id the API accepts (^[A-Z0-9]{10}$) from a data set's code."""
    s = "".join(c for c in code.upper() if c.isalnum())
    if len(s) > 10:
        s = "%010X" % zlib.crc32(s.encode())   # not reached by these data sets
    return s.rjust(10, "0")


def load_yoochoose():
    d = os.path.join(DATA, "yoochoose-rsc15-100k")

    def read(name):
        sessions = {}
        with open(os.path.join(d, name)) as f:
            next(f)
            for line in f:
                s, item, t = line.rstrip("\n").split("\t")
                sessions.setdefault(s, []).append((float(t), pid_of(item)))
        out = []
        for s, ev in sessions.items():
            ev.sort(key=lambda e: e[0])
            out.append((ev[0][0], "y" + s, [p for _, p in ev]))
        out.sort()
        return [(u, items) for _, u, items in out]

    train = read("yoochoose-clicks-100k_train_full.txt")
    test = read("yoochoose-clicks-100k_test.txt")
    items = sorted({p for _, s in train + test for p in s})
    # YOOCHOOSE has no item text: synthetic names, as a shop without descriptions
    catalog = [(p, "Item %s" % p, "Clicks", "Items", "") for p in items]
    return catalog, train, [s for _, s in test]


def load_online_retail(times=None):
    """times: a dict filled with each train user's and test invoice's click
    times (epoch seconds), keyed as the user id and ("test", index)."""
    path = os.path.join(DATA, "online-retail", "Online Retail.csv")
    invoices, names, prices = {}, {}, {}
    with open(path, encoding="latin-1", newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            if len(row) != 8:           # the file ends with a truncated fragment
                continue
            inv, code, desc, qty, date, price, cust, _country = row
            if inv.startswith(("C", "A")) or not code:
                continue                # cancellations and adjustments are no views
            p = pid_of(code)
            if desc.strip() and p not in names:
                names[p] = desc.strip()
                prices[p] = price
            ts = datetime.strptime(date, "%d/%m/%Y %H:%M")
            invoices.setdefault(inv, [ts, cust, []])[2].append(p)
    order = sorted(invoices, key=lambda i: (invoices[i][0], i))
    cut = int(len(order) * 0.8)
    train_users = {}
    for i in order[:cut]:
        ts, cust, items = invoices[i]
        u = "c" + cust if cust else "i" + i
        train_users.setdefault(u, []).extend(items)
        if times is not None:
            times.setdefault(u, []).extend([ts.timestamp()] * len(items))
    train = list(train_users.items())
    if times is not None:
        for k, i in enumerate(order[cut:]):
            times[("test", k)] = [invoices[i][0].timestamp()] * len(invoices[i][2])
    test = [invoices[i][2] for i in order[cut:]]
    catalog = [(p, names.get(p, "Product " + p), "Gifts", "Online Retail", prices.get(p, ""))
               for p in sorted({p for v in invoices.values() for p in v[2]})]
    return catalog, train, test


def load(name):
    if name == "yoochoose":
        return load_yoochoose()
    if name == "online-retail":
        return load_online_retail()
    sys.exit("served_eval: unknown data set %s (yoochoose | online-retail)" % name)


def test_sessions(train, test):
    """Offline protocol: unseen items dropped, then sessions < 2 clicks."""
    seen = {p for _, s in train for p in s}
    out = []
    for s in test:
        s = [p for p in s if p in seen]
        if len(s) >= 2:
            out.append(s)
    return out


# --- HTTP --------------------------------------------------------------------

class Client:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def request(self, method, path, body=None):
        for attempt in range(5):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                hdr = {"Content-Type": "application/json"} if body is not None else {}
                self.conn.request(method, path, body=body, headers=hdr)
                r = self.conn.getresponse()
                data = r.read()
                if r.status in (429, 503) and attempt < 4:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                return r.status, data
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 4:
                    raise
                time.sleep(0.1)
        return 0, b""

    def click(self, user, pid):
        body = json.dumps({"user_id": user, "event_type": "product_click", "product_id": pid})
        st, data = self.request("POST", "/api/v1/interactions/interactions", body)
        if st != 200:
            raise RuntimeError("POST click %s %s -> %d %s" % (user, pid, st, data[:200]))

    def home(self, user):
        st, data = self.request("GET", "/recommendations/home?user_id=%s&response_limit=%d"
                                % (user, K))
        if st != 200:
            return None
        return json.loads(data)


def parallel(n_threads, jobs, work):
    """Runs work(client, job) over jobs in n_threads threads (own connection each)."""
    lock = threading.Lock()
    it = iter(jobs)
    errors = []

    def run():
        c = Client(BASE)
        while True:
            with lock:
                job = next(it, None)
            if job is None or errors:
                return
            try:
                work(c, job)
            except Exception as e:      # noqa: BLE001 - reported below
                errors.append(e)
                return

    ts = [threading.Thread(target=run) for _ in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]


# --- commands ---------------------------------------------------------------

def write_catalog(catalog, work):
    with open(os.path.join(work, "catalog.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "main_category", "sub_category", "image", "link", "ratings",
                    "no_of_ratings", "discount_price", "actual_price", "discount_ratio"])
        for p, name, main, sub, price in catalog:
            w.writerow([p, name, main, sub, "", "", "", "", price, price, ""])


def cmd_prepare(ds, work):
    catalog, train, test = load(ds)
    os.makedirs(work, exist_ok=True)
    write_catalog(catalog, work)
    sessions = test_sessions(train, test)
    print("%s: %d products, %d train users, %d train clicks, %d test sessions (%d after the"
          " protocol's filter)" % (ds, len(catalog), len(train), sum(len(s) for _, s in train),
                                  len(test), len(sessions)))


def cmd_export(ds, work):
    """The offline protocol's files: train sessions (one per train user, its
    clicks in time order), test sessions (one per test invoice) and the
    products with their descriptions (catalog.csv, as served: `hybridrec
    eval --catalog`)."""
    if ds != "online-retail":
        sys.exit("served_eval: export is for online-retail (YOOCHOOSE's files are already so)")
    times = {}
    catalog, train, test = load_online_retail(times)
    os.makedirs(work, exist_ok=True)
    write_catalog(catalog, work)
    sid = 0
    for name, sessions in (("train.tsv", [(times[u], items) for u, items in train]),
                           ("test.tsv", [(times[("test", k)], items) for k, items in enumerate(test)])):
        with open(os.path.join(work, name), "w") as f:
            f.write("SessionId\tItemId\tTime\n")
            for ts, items in sessions:
                sid += 1
                for k, (t, p) in enumerate(zip(ts, items)):
                    f.write("%d\t%s\t%.3f\n" % (sid, p, t + k * 0.001))
    print("%s: wrote %s/train.tsv (%d sessions), test.tsv (%d sessions) and catalog.csv"
          % (ds, work, len(train), len(test)))


def cmd_train(ds, work, threads):
    _, train, _ = load(ds)
    t0 = time.time()
    n = [0]

    def post_user(c, job):
        user, items = job
        for p in items:
            c.click(user, p)
        n[0] += len(items)

    parallel(threads, train, post_user)
    dt = time.time() - t0
    print("posted %d clicks of %d users in %.1f s (%.0f/s)" % (n[0], len(train), dt, n[0] / dt))


def metrics(ranks):
    """ranks: 1-based rank or 0 (miss) per prediction."""
    n = len(ranks)
    if n == 0:
        return 0.0, 0.0, 0.0
    hr = sum(1 for r in ranks if r) / n
    mrr = sum(1.0 / r for r in ranks if r) / n
    ndcg = sum(1.0 / math.log2(r + 1) for r in ranks if r) / n
    return hr, mrr, ndcg


def cmd_test(ds, work, sessions_wanted, seed, threads, tag):
    _, train, test = load(ds)
    sessions = test_sessions(train, test)
    total = len(sessions)
    idx = list(range(total))
    if sessions_wanted and sessions_wanted < total:
        random.Random(seed).shuffle(idx)
        idx = sorted(idx[:sessions_wanted])
    per_session = {}
    failed = [0]
    lock = threading.Lock()
    t0 = time.time()

    def replay(c, i):
        user = "t%s%d" % (tag, i)
        s = sessions[i]
        ranks = []
        for pos in range(len(s) - 1):
            c.click(user, s[pos])
            target = s[pos + 1]
            if target in s[:pos + 1]:
                continue                # protocol (b): re-clicks are not targets
            reply = c.home(user)
            if reply is None:
                with lock:
                    failed[0] += 1
                ranks.append(0)
                continue
            ids = [p.get("id") or p.get("product_id") for p in reply.get("personalized", [])][:K]
            ranks.append(ids.index(target) + 1 if target in ids else 0)
        with lock:
            per_session[i] = ranks

    parallel(threads, idx, replay)
    dt = time.time() - t0
    all_ranks = [r for i in idx for r in per_session[i]]
    hr, mrr, ndcg = metrics(all_ranks)
    hr10 = sum(1 for r in all_ranks if r and r <= 10) / max(1, len(all_ranks))
    # spread: bootstrap over sessions (predictions within a session are correlated)
    rng = random.Random(seed + 1)
    boots = []
    for _ in range(200):
        pick = [per_session[idx[rng.randrange(len(idx))]] for _ in idx]
        flat = [r for s in pick for r in s]
        boots.append(metrics(flat)[0])
    boots.sort()
    lo, hi = boots[4], boots[194]
    result = {"dataset": ds, "sessions": len(idx), "sessions_total": total,
              "predictions": len(all_ranks), "failed_requests": failed[0],
              "hr20": round(hr, 4), "mrr20": round(mrr, 4), "ndcg20": round(ndcg, 4),
              "hr10": round(hr10, 4), "hr20_ci95": [round(lo, 4), round(hi, 4)],
              "seconds": round(dt, 1)}
    print(json.dumps(result))
    print("| %s | %d of %d | %d | %.4f | %.4f | %.4f | %.4f–%.4f |"
          % (ds, len(idx), total, len(all_ranks), hr, mrr, ndcg, lo, hi))
    if failed[0]:
        print("served_eval: %d /home requests failed (counted as misses)" % failed[0],
              file=sys.stderr)


def main(argv):
    global BASE
    if len(argv) < 3 or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    cmd, ds, work = argv[0], argv[1], argv[2]
    opts = {"--sessions": "0", "--seed": "1", "--threads": "4", "--tag": ""}
    rest = argv[3:]
    BASE = os.environ.get("HR_BASE", "http://127.0.0.1:8080")
    if rest and not rest[0].startswith("--"):
        BASE = rest.pop(0)
    while rest:
        k = rest.pop(0)
        if k not in opts or not rest:
            sys.exit("served_eval: bad option %s" % k)
        opts[k] = rest.pop(0)
    if cmd == "prepare":
        cmd_prepare(ds, work)
    elif cmd == "export":
        cmd_export(ds, work)
    elif cmd == "train":
        cmd_train(ds, work, int(opts["--threads"]) * 4)
    elif cmd == "test":
        cmd_test(ds, work, int(opts["--sessions"]), int(opts["--seed"]),
                 int(opts["--threads"]), opts["--tag"])
    else:
        print(__doc__)
        return 2
    return 0


BASE = "http://127.0.0.1:8080"
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
