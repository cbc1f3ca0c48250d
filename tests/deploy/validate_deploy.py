#!/usr/bin/env python3
"""Validates deploy/docker-compose.yml and deploy/k8s/ against the real binaries.

No Docker engine or Kubernetes API server runs on the build machines, so this
parses every file and checks what would otherwise only fail at deploy time:
references between objects, probe ports and paths, and that every environment
variable a container sets is one its binary actually reads (from `--help`).

usage: validate_deploy.py SOURCE_DIR BIN_DIR
"""
import os
import re
import shutil
import subprocess
import sys

import yaml

src, bindir = sys.argv[1], sys.argv[2]
errors = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        errors.append(msg)


_vars_cache = {}


def binary_vars(binary):
    """Environment variables a binary reads, parsed from its --help table."""
    if binary not in _vars_cache:
        path = os.path.join(bindir, binary)
        check(os.access(path, os.X_OK), f"binary {binary} not built at {path}")
        out = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=30).stdout
        _vars_cache[binary] = set(re.findall(r"^\s*([A-Z][A-Z0-9_]{2,})\s", out, re.M))
        check(len(_vars_cache[binary]) >= 3, f"{binary} --help lists no configuration variables")
    return _vars_cache[binary]


def command_binary(cmd):
    """The hybridrec binary a container command runs ('sh -c' scripts: the CLI)."""
    if isinstance(cmd, str):
        cmd = cmd.split()
    if not cmd:
        return None
    if cmd[0] in ("sh", "bash"):
        return "hybridrec" if "hybridrec" in " ".join(cmd) else None
    return cmd[0]


def cli_subcommands_ok(script):
    """Every `hybridrec train X` / `hybridrec CMD` in a script is a real subcommand."""
    for m in re.finditer(r"hybridrec\s+([a-z-]+)(?:\s+([a-z]+))?", script):
        sub, arg = m.group(1), m.group(2)
        rc = subprocess.run([os.path.join(bindir, "hybridrec"), sub, "--help"],
                            capture_output=True, timeout=30).returncode
        check(rc == 0, f"`hybridrec {sub} --help` fails (used in: {script.strip()[:60]})")
        if sub == "train" and arg:
            out = subprocess.run([os.path.join(bindir, "hybridrec"), "train", "--help"],
                                 capture_output=True, text=True, timeout=30).stdout
            check(re.search(rf"^\s*{arg}\s", out, re.M) is not None, f"unknown model `train {arg}`")


# ---------------------------------------------------------------- compose
compose = yaml.safe_load(open(os.path.join(src, "deploy/docker-compose.yml")))
services = compose["services"]
expected = {"postgres", "redis", "broker", "gateway", "interactions-svc", "content-svc",
            "collab-svc", "trending-svc", "rules-svc", "scheduler", "init"}
check(expected <= set(services), f"compose lacks services: {expected - set(services)}")
for name, s in services.items():
    for dep in (s.get("depends_on") or {}):
        check(dep in services, f"compose {name}: depends_on unknown service {dep}")
    for v in s.get("volumes") or []:
        vol = v.split(":")[0]
        check(vol in (compose.get("volumes") or {}), f"compose {name}: undeclared volume {vol}")
    if not str(s.get("image", "")).startswith("hybridrec:"):
        continue                                # postgres, redis (hybridrec-datastores)
    check("restart" in s, f"compose {name}: no restart policy")
    one_shot = s.get("restart") == "no"        # init: migrations, catalog, first models
    check(one_shot or "healthcheck" in s, f"compose {name}: no healthcheck")
    binary = command_binary(s.get("command"))
    check(binary is not None, f"compose {name}: command runs no hybridrec binary")
    if not binary:
        continue
    env = s.get("environment") or {}
    known = binary_vars(binary)
    for var in env:
        check(var in known, f"compose {name}: sets {var}, which {binary} does not read")
    hc = " ".join((s.get("healthcheck") or {}).get("test", []))
    m = re.search(r"127\.0\.0\.1:(\d+)(/\w+)", hc)
    if m:
        port, path = m.group(1), m.group(2)
        check(path in ("/healthz", "/readyz"), f"compose {name}: healthcheck path {path}")
        want = env.get("HR_GATEWAY_PORT") if binary == "hybridrec-gateway" else env.get("HR_METRICS_PORT")
        check(str(want) == port, f"compose {name}: healthcheck port {port} but the process listens on {want}")
    if binary == "hybridrec":
        cli_subcommands_ok(" ".join(s["command"]) if isinstance(s["command"], list) else s["command"])
# No single broker (docs/scaling.md): the gateway runs its own, and every
# replica registers with the brokers of all `gateway` containers.
check(services["gateway"].get("environment", {}).get("HR_GATEWAY_EMBED_BROKER") == "1",
      "compose gateway must run its own broker (no single broker)")
check("depends_on" not in services["gateway"] or "broker" not in services["gateway"]["depends_on"],
      "compose gateway must not depend on the standalone broker")
check("standalone-broker" in (services["broker"].get("profiles") or []),
      "compose: the standalone broker must be an option (profile standalone-broker)")
for name in ("interactions-svc", "content-svc", "collab-svc", "trending-svc", "rules-svc"):
    check("ports" not in services[name] and "container_name" not in services[name],
          f"compose {name}: fixed ports/container_name prevent --scale")
    check(str((services[name].get("environment") or {}).get("HR_BROKER_ENDPOINTS", "")).startswith("dns+tcp://gateway:"),
          f"compose {name}: must register with every gateway's broker (HR_BROKER_ENDPOINTS=dns+tcp://gateway:5555)")
    check("broker" not in (services[name].get("depends_on") or {}),
          f"compose {name}: must not depend on the standalone broker")

# No plaintext ZeroMQ: every process on the broker speaks CURVE, the broker
# binds with its secret key and an allow-list of client keys.
BROKER_USERS = ("hybridrec-gateway", "interactions-svc", "content-svc", "collab-svc",
                "trending-svc", "rules-svc", "hybridrec-broker")


def curve_ok(where, binary, env):
    if binary not in BROKER_USERS:
        return
    for var in ("HR_CURVE_SERVER_PUBLIC", "HR_CURVE_CLIENT_CERT"):
        check(env.get(var), f"{where}: {var} unset: plaintext ZeroMQ")
    embeds = binary == "hybridrec-gateway" and str(env.get("HR_GATEWAY_EMBED_BROKER", "1")) != "0"
    if binary == "hybridrec-broker" or embeds:
        for var in ("HR_CURVE_SERVER_CERT", "HR_CURVE_CLIENTS_DIR"):
            check(env.get(var), f"{where}: broker without {var}")


for name, s in services.items():
    curve_ok(f"compose {name}", command_binary(s.get("command")), s.get("environment") or {})
init_cmd = " ".join(services["init"]["command"])
check("hybridrec init" in init_cmd and "hybridrec keygen" in init_cmd,
      "compose init must run the idempotent `hybridrec init` and make the CURVE keys")
check("import-catalog" not in init_cmd and "train all" not in init_cmd,
      "compose init must not re-import or retrain on every start")

# The host-network override (scripts/compose_test.sh): loopback only.
host = yaml.safe_load(open(os.path.join(src, "deploy/compose.host.yml")))
for name, s in host["services"].items():
    check(name in services, f"compose.host.yml: unknown service {name}")
    check(s.get("network_mode") == "host", f"compose.host.yml {name}: not on the host network")
    env = s.get("environment") or {}
    for var in ("PG_LISTEN", "REDIS_BIND"):
        if var in env:
            check(env[var] == "127.0.0.1", f"compose.host.yml {name}: {var} is not loopback")
    if "HR_BROKER_BIND" in env:
        check(env["HR_BROKER_BIND"].startswith("tcp://127.0.0.1:"), f"compose.host.yml {name}: broker not on loopback")
    for var in ("DATABASE_URL", "REDIS_URL", "HR_BROKER_ENDPOINT", "HR_BROKER_ENDPOINTS"):
        if var in env:
            check("127.0.0.1" in env[var], f"compose.host.yml {name}: {var} leaves loopback")

# Its default ports stay below the kernel's ephemeral range (32768-60999), so
# outside `make test`'s 55430-55499/56370-56449 and `make run`'s 55432/56379/8080.
for var, port in re.findall(r"\$\{(HR_CT_\w+):-(\d+)\}", open(os.path.join(src, "deploy/compose.host.yml")).read()):
    check(1024 < int(port) < 32768 and int(port) != 8080, f"compose.host.yml: {var} defaults to {port}, inside the ephemeral or a reserved range")

# ---------------------------------------------------------------- kubernetes
kdir = os.path.join(src, "deploy/k8s")
kust = yaml.safe_load(open(os.path.join(kdir, "kustomization.yaml")))
objs = []
for res in kust["resources"]:
    path = os.path.join(kdir, res)
    check(os.path.exists(path), f"kustomization: missing resource {res}")
    objs += [o for o in yaml.safe_load_all(open(path)) if o]
by_kind = {}
for o in objs:
    check("apiVersion" in o and "kind" in o and "name" in o.get("metadata", {}), f"k8s object without apiVersion/kind/name: {o}")
    by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o

configmaps = by_kind.get("ConfigMap", {})
secrets = by_kind.get("Secret", {})
deployments = by_kind.get("Deployment", {})
for want in ("hybridrec-gateway", "interactions-svc", "content-svc",
             "collab-svc", "trending-svc", "rules-svc"):
    check(want in deployments, f"k8s: no Deployment {want}")
# No single point: nothing the requests go through runs as one Recreate replica.
for name, d in deployments.items():
    check(d["spec"].get("strategy", {}).get("type") != "Recreate",
          f"k8s Deployment/{name}: Recreate (a single point while it restarts)")


def pod_specs():
    for d in deployments.values():
        yield "Deployment/" + d["metadata"]["name"], d["spec"]["template"]
    for j in by_kind.get("Job", {}).values():
        yield "Job/" + j["metadata"]["name"], j["spec"]["template"]
    for c in by_kind.get("CronJob", {}).values():
        yield "CronJob/" + c["metadata"]["name"], c["spec"]["jobTemplate"]["spec"]["template"]


for where, tmpl in pod_specs():
    for c in tmpl["spec"]["containers"]:
        binary = command_binary(c.get("command"))
        check(binary is not None, f"{where}: container runs no hybridrec binary")
        if not binary:
            continue
        known = binary_vars(binary)
        env_names = {e["name"]: e for e in c.get("env", [])}
        for ef in c.get("envFrom", []):
            if "configMapRef" in ef:
                ref = ef["configMapRef"]["name"]
                check(ref in configmaps, f"{where}: unknown ConfigMap {ref}")
                env_names.update({k: None for k in configmaps.get(ref, {}).get("data", {})})
            if "secretRef" in ef:
                ref = ef["secretRef"]["name"]
                check(ref in secrets, f"{where}: unknown Secret {ref}")
                env_names.update({k: None for k in secrets.get(ref, {}).get("stringData", {})})
        for var, e in env_names.items():
            check(var in known, f"{where}: sets {var}, which {binary} does not read")
            if e and "valueFrom" in e and "secretKeyRef" in e["valueFrom"]:
                ref = e["valueFrom"]["secretKeyRef"]
                check(ref["key"] in secrets.get(ref["name"], {}).get("stringData", {}),
                      f"{where}: secretKeyRef {ref} does not exist")
        if where.startswith("Deployment"):
            values = dict(configmaps.get("hybridrec-config", {}).get("data", {}))
            values.update({e["name"]: e.get("value") for e in c.get("env", [])})
            curve_ok(where, binary, values)
            if binary in BROKER_USERS:
                vols = {v["name"]: v for v in tmpl["spec"].get("volumes", [])}
                mounts = [m for m in c.get("volumeMounts", []) if m["name"] in vols
                          and vols[m["name"]].get("secret", {}).get("secretName") == "hybridrec-curve"]
                check(len(mounts) == 1, f"{where}: CURVE certificates not mounted from the hybridrec-curve Secret")
                for m in mounts:
                    paths = {m["mountPath"] + "/" + i["path"] for i in vols[m["name"]]["secret"].get("items", [])}
                    for var in ("HR_CURVE_SERVER_PUBLIC", "HR_CURVE_CLIENT_CERT", "HR_CURVE_SERVER_CERT"):
                        if values.get(var):
                            check(values[var] in paths, f"{where}: {var}={values[var]} is not a mounted Secret file")
                    for i in vols[m["name"]]["secret"].get("items", []):
                        check(i["key"] in secrets.get("hybridrec-curve", {}).get("stringData", {}),
                              f"{where}: hybridrec-curve has no key {i['key']}")
                check(tmpl["spec"].get("securityContext", {}).get("fsGroup") == 10001,
                      f"{where}: fsGroup 10001 needed to read the mounted certificates")
        ports = {p["containerPort"] for p in c.get("ports", [])}
        env_val = {e["name"]: e.get("value") for e in c.get("env", [])}
        listen = env_val.get("HR_GATEWAY_PORT") if binary == "hybridrec-gateway" else env_val.get("HR_METRICS_PORT")
        for probe in ("readinessProbe", "livenessProbe"):
            if where.startswith("Deployment"):
                check(probe in c, f"{where}: no {probe}")
            if probe in c:
                hg = c[probe]["httpGet"]
                check(hg["port"] in ports, f"{where}: {probe} port {hg['port']} not a container port")
                check(str(hg["port"]) == str(listen), f"{where}: {probe} port {hg['port']} but the process listens on {listen}")
                check(hg["path"] == ("/readyz" if probe == "readinessProbe" else "/healthz"),
                      f"{where}: {probe} path {hg['path']}")
        if where.startswith("Deployment"):
            check("resources" in c and "requests" in c["resources"] and "limits" in c["resources"],
                  f"{where}: resources requests/limits missing")
            check(tmpl["spec"].get("terminationGracePeriodSeconds", 0) >= 10, f"{where}: no graceful termination period")
        if binary == "hybridrec":
            cli_subcommands_ok(" ".join(c["command"]))


def labels_match(selector, d):
    return all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())


for name, s in by_kind.get("Service", {}).items():
    targets = [d for d in deployments.values() if labels_match(s["spec"]["selector"], d)]
    check(len(targets) == 1, f"Service/{name}: selector matches {len(targets)} deployments")
    for d in targets:
        ports = {p["containerPort"] for c in d["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
        for p in s["spec"]["ports"]:
            check(p["targetPort"] in ports, f"Service/{name}: targetPort {p['targetPort']} not exposed")
for name, h in by_kind.get("HorizontalPodAutoscaler", {}).items():
    check(h["spec"]["scaleTargetRef"]["name"] in deployments, f"HPA/{name}: unknown target")
for name, p in by_kind.get("PodDisruptionBudget", {}).items():
    check(any(labels_match(p["spec"]["selector"]["matchLabels"], d) for d in deployments.values()),
          f"PDB/{name}: selector matches nothing")
services_k8s = by_kind.get("Service", {})
check(len(by_kind.get("Ingress", {})) >= 1, "k8s: no Ingress example")
for name, ing in by_kind.get("Ingress", {}).items():
    for rule in ing["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            svc = path["backend"]["service"]
            check(svc["name"] in services_k8s, f"Ingress/{name}: unknown Service {svc['name']}")
            names = {p.get("name") for p in services_k8s.get(svc["name"], {}).get("spec", {}).get("ports", [])}
            nums = {p.get("port") for p in services_k8s.get(svc["name"], {}).get("spec", {}).get("ports", [])}
            check(svc["port"].get("name") in names or svc["port"].get("number") in nums,
                  f"Ingress/{name}: Service {svc['name']} has no port {svc['port']}")
hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind.get("HorizontalPodAutoscaler", {}).values()}
for want in ("hybridrec-gateway", "content-svc", "collab-svc", "trending-svc", "rules-svc"):
    check(want in hpa_targets, f"no HPA for {want}")
crons = " ".join(" ".join(c["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"])
                 for c in by_kind.get("CronJob", {}).values())
for model in ("trending", "content", "collab", "rules"):
    check(f"train {model}" in crons or "train all" in crons,
          f"no CronJob runs `hybridrec train {model}` (or `train all`)")
# Service replicas register with every gateway's broker: the headless
# Service's records (they connect out; docs/scaling.md).
cfg = configmaps["hybridrec-config"]["data"]
check(cfg.get("HR_BROKER_ENDPOINTS", "").startswith("dns+tcp://hybridrec-gateway-brokers:"),
      "HR_BROKER_ENDPOINTS must name the gateways' headless Service (dns+tcp://)")
brokers_svc = services_k8s.get("hybridrec-gateway-brokers", {}).get("spec", {})
check(brokers_svc.get("clusterIP") == "None", "Service/hybridrec-gateway-brokers must be headless")
check(brokers_svc.get("publishNotReadyAddresses") is True,
      "Service/hybridrec-gateway-brokers must publish not-ready gateways (they become ready once replicas register)")
# The standalone broker stays available as a file of its own.
standalone = [o for o in yaml.safe_load_all(open(os.path.join(kdir, "broker.yaml"))) if o]
check(any(o["kind"] == "Deployment" and o["metadata"]["name"] == "hybridrec-broker" for o in standalone),
      "deploy/k8s/broker.yaml: the standalone broker option is gone")

# Nothing of the build machine leaks into installed defaults or documents.
src_abs = os.path.realpath(src)
for b in ("hybridrec", "hybridrec-gateway", "hybridrec-broker", "interactions-svc", "content-svc",
          "collab-svc", "trending-svc", "rules-svc"):
    out = subprocess.run([os.path.join(bindir, b), "--help"], capture_output=True, text=True, timeout=30).stdout
    check(src_abs not in out, f"{b} --help shows a path of the build machine ({src_abs})")
for doc in ["README.md", "BENCHMARKS.md", "EVALUATION.md"] + ["docs/" + d for d in os.listdir(os.path.join(src, "docs"))]:
    path = os.path.join(src, doc)
    if os.path.isfile(path):
        check(src_abs not in open(path, encoding="utf-8").read(), f"{doc} contains the build machine's path {src_abs}")

for m in re.finditer(r"^\| `([A-Z0-9_]+)` \| `([^`]*)` \|", open(os.path.join(src, "README.md")).read(), re.M):
    check(not m.group(2).startswith("/"), f"README: {m.group(1)} defaults to an absolute path {m.group(2)}")

kubectl = shutil.which("kubectl")
if kubectl:
    r = subprocess.run([kubectl, "kustomize", kdir], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"kubectl kustomize failed: {r.stderr[:300]}")
    check(len(list(yaml.safe_load_all(r.stdout))) == len(objs), "kustomize rendered a different object count")
else:
    print("note: kubectl not installed; `kubectl kustomize` rendering skipped (parsed the resources directly)")

for e in errors:
    print("FAIL:", e)
print(f"{checks - len(errors)} passed, {len(errors)} failed")
sys.exit(1 if errors else 0)
