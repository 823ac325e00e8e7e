#!/usr/bin/python3
"""Calls every operation of an OpenAPI document (the subset docs/openapi.json
uses) on a running server and prints one TAP-style line each, as the e2e
tests do: "ok NAME" or "not ok NAME: why". Each operation is called with a
key of the role its `security` names (none for []), the `example` of each
path and query parameter and of the request body; it must answer a 2xx the
document lists, with the documented content type, and a JSON body that fits
the documented schema (allOf, anyOf, type, enum, const, required,
properties, items — down through objects and the items of lists, which
must not be empty). Operations run in the document's order. Used by
tests/e2e/test_api_openapi.sh.

Usage: openapi_calls.py SPEC.json BASE_URL ADMIN_KEY OPERATOR_KEY VIEWER_KEY
"""
import json, sys, urllib.error, urllib.parse, urllib.request

if len(sys.argv) != 6:
    sys.exit("usage: openapi_calls.py SPEC.json BASE_URL ADMIN_KEY OPERATOR_KEY VIEWER_KEY")
spec = json.load(open(sys.argv[1]))
base, keys = sys.argv[2], {"admin": sys.argv[3], "operator": sys.argv[4], "viewer": sys.argv[5]}


def deref(o):
    while isinstance(o, dict) and "$ref" in o:
        at = spec
        for part in o["$ref"][2:].split("/"):
            at = at[part]
        o = at
    return o


TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
         "array": list, "object": dict, "null": type(None)}


def fits(schema, v, where, errs):
    """The document's schema language as far as it uses it: allOf, anyOf,
    type, enum, const, required, properties, items."""
    s = deref(schema)
    for sub in s.get("allOf", []):
        fits(sub, v, where, errs)
    if "anyOf" in s:
        tries = []
        for sub in s["anyOf"]:
            tries.append([])
            fits(sub, v, where, tries[-1])
        if all(tries):
            errs.append(f"{where}: fits none of anyOf: " + " | ".join(t[0] for t in tries))
    types = s.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        ok = any(isinstance(v, TYPES[t]) and not (t in ("integer", "number") and isinstance(v, bool)) for t in types)
        if not ok:
            errs.append(f"{where}: {json.dumps(v)[:80]} is not {'/'.join(types)}")
            return
    if "enum" in s and v not in s["enum"]:
        errs.append(f"{where}: {v!r} is not one of {s['enum']}")
    if "const" in s and v != s["const"]:
        errs.append(f"{where}: {v!r} is not {s['const']!r}")
    if isinstance(v, dict):
        for name in s.get("required", []):
            if name not in v:
                errs.append(f"{where}: required property '{name}' missing")
        for name, sub in s.get("properties", {}).items():
            if name in v:
                fits(sub, v[name], f"{where}.{name}", errs)
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            fits(s["items"], x, f"{where}[{i}]", errs)


def call(method, path, op, item):
    params = [deref(p) for p in op.get("parameters", []) + item.get("parameters", [])]
    url, query = path, {}
    for p in params:
        if "example" not in p:
            continue
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", urllib.parse.quote(str(p["example"]), safe=""))
        elif p["in"] == "query":
            query[p["name"]] = str(p["example"])
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers, data = {}, None
    sec = op.get("security", spec.get("security", []))
    if sec:
        headers["Authorization"] = "Bearer " + keys[sec[0]["bearer"][0]]
    rb = deref(op.get("requestBody", {}))
    for ctype, media in rb.get("content", {}).items():
        if "example" in media:
            ex = media["example"]
            data = (json.dumps(ex) if ctype == "application/json" else ex).encode()
            headers["Content-Type"] = ctype
        break
    req = urllib.request.Request(base + url, data=data, method=method.upper(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return url, r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as r:
        return url, r.code, r.headers.get("Content-Type", ""), r.read()


n = 0
for path, item in spec["paths"].items():
    for method in ("get", "post", "patch", "put", "delete"):
        op = item.get(method)
        if not op:
            continue
        n += 1
        name = f"{method.upper()} {path}"
        url, status, ctype, body = call(method, path, op, item)
        errs = []
        resp = op["responses"].get(str(status))
        if resp is None:
            errs.append(f"{status} is not a documented answer ({', '.join(op['responses'])})")
        elif not 200 <= status < 300:
            errs.append(f"{status}, want the documented 2xx with the document's examples")
        else:
            content = deref(resp).get("content", {})
            media = next((m for t, m in content.items() if ctype.split(";")[0].strip() == t), None)
            if content and media is None:
                errs.append(f"Content-Type {ctype!r}, documented {list(content)}")
            elif media is not None and ctype.startswith("application/json"):
                try:
                    doc = json.loads(body)
                    fits(media["schema"], doc, "body", errs)
                    if isinstance(doc, dict) and doc.get("data") == [] and "next" in doc:
                        errs.append("the list is empty: its examples (or the fixture) leave the items unchecked")
                except ValueError as e:
                    errs.append(f"not JSON: {e}")
        if errs:
            print(f"not ok {name} ({method.upper()} {url}) answers as documented: " + "; ".join(errs[:6])
                  + f" — {body[:300]!r}")
        else:
            print(f"ok {name} answers as documented ({status})")
print(f"ok the document lists {n} operations" if n >= 6 else f"not ok the document lists operations: only {n}")
