#!/usr/bin/env python3
"""check_openapi — validates gateway/openapi.yaml (issue 19 item 5):

  - the OpenAPI Initiative's own JSON Schema of OpenAPI 3.0.x (Debian
    package openapi-specification, /usr/share/openapi-specification/
    schemas/v3.0/schema.json) applied with python3-jsonschema (Draft 4,
    what that schema is written in): the document is valid OpenAPI 3.0;
  - OpenAPI 3.0 shape: openapi 3.0.x, info.title/version, paths, components;
  - every operation: a unique operationId, tags declared at the top, a
    summary, responses keyed by HTTP status codes, each with a description
    (or a $ref to one), 414 and 431 (the router answers them everywhere);
  - every $ref resolves; every {param} of a path is a required path
    parameter; every schema's `required` names its properties; types valid;
  - the router (gateway/http/gw_router.c) and the document agree: every
    route is documented and every documented operation is routed;
  - every status a handler can answer is documented: the statuses written
    as literals in gw_send* calls (and `? 200 : 503`) of the route's
    handler and of every gateway function it calls or hands a callback,
    transitively; and the router's own: 429 everywhere but /healthz (the
    rate limit), 401 and 403 on the routes it protects with the API key
    (404, 405, 414 and 431 are checked above or described at the top);
  - every documented operation is exercised: some test (tests/, gateway/
    tests, tests/browser) sends that method to that path, or calls the
    typed client's method of that operationId (tests/client, which also
    checks at run time that every operation answered).

Usage: check_openapi.py ROOT           (exit 1 with the findings)
       check_openapi.py --self-test    (proves the checks fail on bad docs)
"""
import copy
import glob
import json
import os
import re
import sys

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
TYPES = {"string", "number", "integer", "boolean", "array", "object"}
OAS30_SCHEMA = "/usr/share/openapi-specification/schemas/v3.0/schema.json"
# Routes that are deliberately not part of the public document.
UNDOCUMENTED = {("GET", "/bench/fixed"), ("GET", "/dashboard/"), ("GET", "/dashboard/{file}"),
                ("GET", "/docs/"), ("GET", "/docs/{file}")}


def resolve(doc, ref):
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def walk_refs(doc, node, where, errors):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                if not isinstance(v, str) or resolve(doc, v) is None:
                    errors.append(f"{where}: $ref {v!r} does not resolve")
            else:
                walk_refs(doc, v, f"{where}/{k}", errors)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk_refs(doc, v, f"{where}[{i}]", errors)


def check_schema(doc, s, where, errors):
    if not isinstance(s, dict) or "$ref" in s:
        return
    t = s.get("type")
    if t is not None and t not in TYPES:
        errors.append(f"{where}: unknown type {t!r}")
    props = s.get("properties")
    if isinstance(props, dict):
        for name in s.get("required", []):
            if name not in props:
                errors.append(f"{where}: required {name!r} is not a property")
        for name, p in props.items():
            check_schema(doc, p, f"{where}.{name}", errors)
    if t == "array" and "items" not in s:
        errors.append(f"{where}: an array without items")
    if isinstance(s.get("items"), dict):
        check_schema(doc, s["items"], f"{where}[]", errors)
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(s.get(key, [])):
            check_schema(doc, sub, f"{where}.{key}[{i}]", errors)


def operations(doc):
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def check_oas_schema(doc):
    """The document against the official OpenAPI 3.0 JSON Schema."""
    with open(OAS30_SCHEMA) as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    as_json = json.loads(json.dumps(doc))     # YAML keys as JSON has them
    errors = []
    for e in sorted(validator.iter_errors(as_json), key=lambda e: list(map(str, e.path))):
        where = "/".join(map(str, e.path)) or "(root)"
        errors.append(f"OpenAPI 3.0 schema: {where}: {e.message[:200]}")
    return errors


def check_doc(doc):
    errors = check_oas_schema(doc)
    if not str(doc.get("openapi", "")).startswith("3.0."):
        errors.append("openapi must be 3.0.x")
    info = doc.get("info") or {}
    if not info.get("title") or not info.get("version"):
        errors.append("info.title and info.version are required")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        errors.append("paths is required")
        return errors
    walk_refs(doc, doc, "#", errors)
    declared_tags = {t.get("name") for t in doc.get("tags", []) if isinstance(t, dict)}
    seen_ids = {}
    for path, method, item, op in operations(doc):
        where = f"{method.upper()} {path}"
        oid = op.get("operationId")
        if not oid or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(oid)):
            errors.append(f"{where}: no valid operationId")
        elif oid in seen_ids:
            errors.append(f"{where}: operationId {oid} also on {seen_ids[oid]}")
        else:
            seen_ids[oid] = where
        tags = op.get("tags") or []
        if not tags:
            errors.append(f"{where}: no tags")
        for t in tags:
            if t not in declared_tags:
                errors.append(f"{where}: tag {t!r} is not declared")
        if not op.get("summary"):
            errors.append(f"{where}: no summary")
        responses = op.get("responses") or {}
        if not responses:
            errors.append(f"{where}: no responses")
        for code, r in responses.items():
            if str(code) != "default" and not re.fullmatch(r"[1-5][0-9][0-9]", str(code)):
                errors.append(f"{where}: response key {code!r} is not a status code")
            r = resolve(doc, r["$ref"]) if isinstance(r, dict) and "$ref" in r else r
            if not isinstance(r, dict) or not r.get("description"):
                errors.append(f"{where}: response {code} has no description")
        for code in ("414", "431"):
            if code not in {str(c) for c in responses}:
                errors.append(f"{where}: does not document {code}")
        params = list(item.get("parameters", [])) + list(op.get("parameters", []))
        params = [resolve(doc, p["$ref"]) if "$ref" in p else p for p in params]
        in_path = {p.get("name") for p in params if p and p.get("in") == "path"}
        for name in re.findall(r"\{([^}]+)\}", path):
            if name not in in_path:
                errors.append(f"{where}: path parameter {name} is not declared")
        for p in params:
            if p and p.get("in") == "path" and p.get("required") is not True:
                errors.append(f"{where}: path parameter {p.get('name')} must be required")
    for name, s in ((doc.get("components") or {}).get("schemas") or {}).items():
        check_schema(doc, s, f"schemas.{name}", errors)
    return errors


def router_routes(root):
    """(METHOD, documented-style path) of every route of gw_router.c."""
    src = open(os.path.join(root, "gateway/http/gw_router.c")).read()
    out = set()
    for path, kind, method in re.findall(r'\{\s*"([^"]+)",\s*(EXACT|ONE_SEGMENT),\s*"([A-Z]+)"', src):
        out.add((method, path + "{}" if kind == "ONE_SEGMENT" else path))
    return out


def doc_routes(doc):
    return {(m.upper(), re.sub(r"\{[^}]+\}", "{}", p)) for p, m, _, _ in operations(doc)}


def check_router(doc, root):
    errors = []
    routed = router_routes(root)
    documented = doc_routes(doc)
    skip = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p in UNDOCUMENTED}
    for m, p in sorted(routed - documented - skip):
        errors.append(f"route {m} {p} is not documented")
    for m, p in sorted(documented - routed):
        errors.append(f"documented {m} {p} is not routed")
    return errors


# Statuses the call graph reaches but the operation cannot answer: the
# catalog writes share one job completion (s_job_done), whose 404 is for
# PATCH and DELETE of a missing product only.
UNREACHABLE = {("upsertProducts", 404), ("upsertProduct", 404)}
KNOWN_STATUSES = {200, 204, 400, 401, 403, 404, 405, 413, 414, 422, 429, 431, 500, 503}
NOT_FOLLOWED = {"gw_send", "gw_send_error", "gw_send_json", "gw_add_header", "gw_request_new"}


def gateway_functions(root):
    """{(file, name): body} of every function defined in the gateway's
    sources (czmq layout: the name starts its line), bodies of #if/#else
    twins joined; and {name: file} of the non-static ones."""
    funcs, owner = {}, {}
    files = []
    for pattern in ("gateway/*.c", "gateway/http/*.c", "gateway/api/*.c"):
        files += sorted(glob.glob(os.path.join(root, pattern)))
    for f in files:
        src = open(f, errors="replace").read()
        for m in re.finditer(r"^([a-z_][a-z0-9_]*) \(([^;{]*?)\)\s*\n?\{(.*?)^\}", src, re.S | re.M):
            funcs[(f, m.group(1))] = funcs.get((f, m.group(1)), "") + m.group(3)
            if not m.group(1).startswith("s_"):
                owner.setdefault(m.group(1), f)
    return funcs, owner


def handler_statuses(funcs, owner, f, name, seen):
    if (f, name) in seen or (f, name) not in funcs:
        return set()
    seen.add((f, name))
    body = funcs[(f, name)]
    out = {int(c) for c in re.findall(r"\(\s*[\w.>-]+\s*,\s*([1-5]\d\d)\s*[,)]", body)}
    for a, b in re.findall(r"\?\s*([1-5]\d\d)\s*:\s*([1-5]\d\d)", body):
        out |= {int(a), int(b)}
    out &= KNOWN_STATUSES
    for ident in sorted(set(re.findall(r"\b([a-z_][a-z0-9_]*)\b", body))):
        if ident in NOT_FOLLOWED or ident == name:
            continue
        if (f, ident) in funcs:                  # a call or a callback of this file
            out |= handler_statuses(funcs, owner, f, ident, seen)
        elif ident in owner and re.search(rf"\b{ident} \(", body):
            out |= handler_statuses(funcs, owner, owner[ident], ident, seen)
    return out


def check_statuses(doc, root):
    src = open(os.path.join(root, "gateway/http/gw_router.c")).read()
    funcs, owner = gateway_functions(root)
    ops = {(m.upper(), re.sub(r"\{[^}]+\}", "{}", p)): op for p, m, _, op in operations(doc)}
    errors = []
    m = re.search(r"bool protect = (.*?);", src, re.S)
    protected = set(re.findall(r"rt->endpoint == (GW_EP_\w+)", m.group(1))) if m else set()
    for path, kind, method, ep, plain, seg in re.findall(
            r'\{\s*"([^"]+)",\s*(EXACT|ONE_SEGMENT),\s*"([A-Z]+)",\s*(\w+),\s*(\w+),\s*(\w+)\s*\}', src):
        op = ops.get((method, path + "{}" if kind == "ONE_SEGMENT" else path))
        handler = plain if plain != "NULL" else seg
        if op is None:
            continue
        if handler not in owner:
            errors.append(f"{op.get('operationId')}: handler {handler} not found in gateway/")
            continue
        documented = {int(c) for c in (op.get("responses") or {}) if str(c).isdigit()}
        oid = op.get("operationId")
        answers = handler_statuses(funcs, owner, owner[handler], handler, set())
        if path != "/healthz":
            answers.add(429)
        if ep in protected:
            answers |= {401, 403}
        for code in sorted(answers - documented):
            if (oid, code) not in UNREACHABLE:
                errors.append(f"{oid} ({method} {path}): {handler} can answer {code}, not documented")
    return errors


def check_exercised(doc, root):
    """Every documented operation appears in a test: the method and the
    path (its fixed prefix up to the first parameter) in one file, or a
    call of the generated client's method `.operationId(`."""
    files = []
    for pattern in ("tests/e2e/*.c", "tests/*/*.c", "tests/*/*.cjs", "tests/*/*.mjs",
                    "tests/*/*.ts", "gateway/tests/*.c", "tests/*/*.sh"):
        files += glob.glob(os.path.join(root, pattern))
    texts = [open(f, errors="replace").read() for f in files]
    errors = []
    for path, method, _, op in operations(doc):
        prefix = path.split("{")[0]
        m = method.upper()
        call = re.compile(rf"\.{re.escape(str(op.get('operationId')))}\(")
        hit = any(call.search(t) for t in texts)
        for t in texts:
            if hit:
                break
            for at in [i.start() for i in re.finditer(re.escape(prefix), t)]:
                window = t[max(0, at - 300):at + 300]
                if re.search(rf"\b{m}\b", window, re.I) or (m == "GET" and "goto(" in window):
                    hit = True
                    break
            if hit:
                break
        if not hit:
            errors.append(f"{op.get('operationId')} ({m} {path}) is exercised by no test")
    return errors


def self_test():
    good = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "tags": [{"name": "a"}],
        "paths": {"/x/{id}": {"get": {
            "operationId": "getX", "tags": ["a"], "summary": "s",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}, "414": {"$ref": "#/components/responses/R"},
                          "431": {"description": "big"}}}}},
        "components": {"responses": {"R": {"description": "long"}},
                       "schemas": {"S": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}}},
    }
    assert check_doc(good) == [], check_doc(good)
    assert check_oas_schema(good) == [], check_oas_schema(good)
    breakers = [
        lambda d: d["paths"]["/x/{id}"]["get"].pop("operationId"),
        lambda d: d["paths"]["/x/{id}"]["get"].update(tags=["undeclared"]),
        lambda d: d["paths"]["/x/{id}"]["get"]["responses"].pop("431"),
        lambda d: d["paths"]["/x/{id}"]["get"]["responses"].update({"20x": {"description": "?"}}),
        lambda d: d["paths"]["/x/{id}"]["get"]["responses"].update({"500": {"$ref": "#/components/responses/Nope"}}),
        lambda d: d["paths"]["/x/{id}"]["get"].update(parameters=[]),
        lambda d: d["components"]["schemas"]["S"].update(required=["b"]),
        lambda d: d["components"]["schemas"]["S"].update(type="str"),
        lambda d: d.update(openapi="2.0"),
        lambda d: d["paths"].update({"/y": {"post": copy.deepcopy(d["paths"]["/x/{id}"]["get"])}}),
        # caught by the OpenAPI 3.0 JSON Schema only
        lambda d: d["paths"]["/x/{id}"]["get"]["parameters"].append({"name": "q", "in": "body"}),
        lambda d: d["paths"]["/x/{id}"]["get"].update(deprecated="yes"),
        lambda d: d["components"].update(securitySchemes={"k": {"type": "apiKey", "name": "X"}}),
    ]
    for i, breaker in enumerate(breakers):
        bad = copy.deepcopy(good)
        breaker(bad)
        assert check_doc(bad), f"breaker {i} was not caught"
    status_self_test(good)
    for i, breaker in enumerate(breakers[-3:]):
        bad = copy.deepcopy(good)
        breaker(bad)
        assert check_oas_schema(bad), f"schema breaker {i} was not caught by the OpenAPI 3.0 schema"
    print(f"check_openapi self-test: {len(breakers)} broken documents caught")


def status_self_test(good):
    """check_statuses on a made-up gateway: a 404 reached through a static
    helper and a callback is found, and documenting it clears the finding."""
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "gateway/http"))
        os.makedirs(os.path.join(root, "gateway/api"))
        with open(os.path.join(root, "gateway/http/gw_router.c"), "w") as f:
            f.write('static const route_t routes[] = {\n'
                    '    { "/x/", ONE_SEGMENT, "GET", GW_EP_X, NULL, gw_handle_x },\n};\n'
                    '    bool protect = rt->endpoint == GW_EP_X;\n')
        with open(os.path.join(root, "gateway/api/gw_x.c"), "w") as f:
            f.write("static void\ns_done (void *arg)\n{\n    gw_send_error (r, 404, \"nope\", \"x\");\n}\n\n"
                    "static void\ns_start (gw_request_t *r)\n{\n    gw_fanout_run (f, s_done, r);\n}\n\n"
                    "void\ngw_handle_x (gw_request_t *r, h2o_iovec_t id)\n{\n"
                    "    if (!id.len)\n        gw_send (r, ok ? 200 : 503, NULL, body);\n    s_start (r);\n}\n")
        doc = copy.deepcopy(good)
        found = check_statuses(doc, root)
        assert [f.split()[-3].rstrip(",") for f in found] == ["401", "403", "404", "429", "503"], found
        doc["paths"]["/x/{id}"]["get"]["responses"].update(
            {c: {"description": "d"} for c in ("401", "403", "404", "429", "503")})
        assert check_statuses(doc, root) == [], check_statuses(doc, root)


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    root = sys.argv[1]
    doc = yaml.safe_load(open(os.path.join(root, "gateway/openapi.yaml")))
    errors = check_doc(doc) + check_router(doc, root) + check_statuses(doc, root) + check_exercised(doc, root)
    for e in errors:
        print("openapi:", e)
    n = sum(1 for _ in operations(doc))
    print(f"check_openapi: {n} operations, {len(errors)} findings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
