"""The HTTP API's OpenAPI documents (doc/openapi/*.yaml) as a checker of
real answers: every response an http test receives goes through
Spec.check(), which finds the operation the request names (a literal path
before a templated one, as OpenAPI says; path parameters must pass their
schemas) and fails unless the document describes the status, the media
type and, for JSON, the body (python3-jsonschema, Draft 2020-12, the
dialect of OpenAPI 3.1).  Debian bookworm has no openapi-spec-validator, so
Spec.lint() checks the document's own structure: references resolve,
schemas are valid 2020-12 schemas, path templates and parameters agree,
operations answer only documented statuses, scopes are ro or rw.

A request no documented path matches may only be refused with 404 (no
route) or, when it matches a template whose parameter schema refused a
value, 400; a documented path with a method it does not have only with
405 (GET …/3/0/9/attributes too: the attributes route owns that path, it is
no read of an LwM2M path "3/0/9/attributes").  Spec.seen records the
operations answered, for coverage checks.
"""
import io
import json
import os
import re
import urllib.parse

import jsonschema
import yaml
from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_DIR = os.path.join(HERE, "..", "..", "..", "doc", "openapi")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
JSON_TYPES = ("application/json", "application/problem+json")
Validator = jsonschema.Draft202012Validator


class StrictLoader(yaml.SafeLoader):
    """YAML as PyYAML's safe loader reads it, but a key twice in a mapping is an
    error (PyYAML keeps the last one silently)."""


def _mapping(loader, node, deep=False):
    keys = set()
    for k, _ in node.value:
        key = loader.construct_object(k, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}",
                                                    k.start_mark)
        keys.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class Spec:
    def __init__(self, name, doc=None):
        """The document doc/openapi/@name.yaml, or @doc (a test's changed copy)."""
        self.name = name
        if doc is None:
            with open(os.path.join(DOC_DIR, name + ".yaml"), encoding="utf-8") as f:
                doc = yaml.load(f, StrictLoader)
        self.doc = doc
        self.resolver = jsonschema.RefResolver.from_schema(self.doc)
        self.seen = set()
        self.checked = 0  # answers checked, for the tests' summary
        self.templates = []
        for path in self.doc["paths"]:
            segs = path.strip("/").split("/")
            self.templates.append((path, segs))

    # --- the document itself -------------------------------------------------

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), f"{self.name}: external $ref {ref}"
            node = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                assert part in node, f"{self.name}: {ref} does not resolve"
                node = node[part]
        return node

    def operations(self):
        for path, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    yield path, method, item[method]

    def params(self, path, method, where):
        item = self.doc["paths"][path]
        out = {}
        for p in item.get("parameters", []) + item.get(method, {}).get("parameters", []):
            p = self.deref(p)
            if p["in"] == where:
                out[p["name"]] = p
        return out

    def path_params(self, template):
        item = self.doc["paths"][template]
        method = next(m for m in METHODS if m in item)
        return self.params(template, method, "path")

    def lint(self):
        d = self.doc
        assert re.match(r"^3\.1\.\d+$", d.get("openapi", "")), "openapi: 3.1.x"
        for k in ("title", "version"):
            assert k in d["info"], f"info.{k}"
        schemes = d["components"]["securitySchemes"]

        def walk(node, where):
            if isinstance(node, dict):
                if "$ref" in node:
                    self.deref(node)
                for k, v in node.items():
                    walk(v, f"{where}/{k}")
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{where}/{i}")
        walk(d, "#")
        for name, schema in d["components"].get("schemas", {}).items():
            Validator.check_schema(schema)
        ids = set()
        for path, method, op in self.operations():
            where = f"{method.upper()} {path}"
            names = set(re.findall(r"{([^}]+)}", path))
            declared = self.params(path, method, "path")
            assert names == set(declared), f"{where}: path parameters {names} vs {set(declared)}"
            for p in declared.values():
                assert p.get("required") is True, f"{where}: path parameter {p['name']} required"
            assert path.startswith("/"), f"{where}: a path begins with /"
            item = self.doc["paths"][path]
            for p in item.get("parameters", []) + op.get("parameters", []):
                p = self.deref(p)
                assert p.get("in") in ("query", "header", "path", "cookie"), f"{where}: {p}"
                assert isinstance(p.get("name"), str) and "schema" in p, f"{where}: {p}"
                Validator.check_schema(p["schema"])
            if "operationId" in op:
                assert op["operationId"] not in ids, f"{where}: operationId twice"
                ids.add(op["operationId"])
            assert op.get("responses"), f"{where}: no responses"
            for status, resp in op["responses"].items():
                assert re.match(r"^[1-5](\d\d|XX)$", str(status)), f"{where}: status {status}"
                resp = self.deref(resp)
                assert "description" in resp, f"{where} {status}: no description"
                for mt, media in resp.get("content", {}).items():
                    if "schema" in media:
                        Validator.check_schema(media["schema"])
                if str(status).startswith(("4", "5")):
                    assert list(resp.get("content", {})) == ["application/problem+json"], \
                        f"{where} {status}: an error is application/problem+json"
            body = op.get("requestBody")
            if body:
                for media in self.deref(body)["content"].values():
                    Validator.check_schema(media.get("schema", {}))
            for req in op.get("security", d.get("security", [])):
                for scheme, scopes in req.items():
                    assert scheme in schemes, f"{where}: security scheme {scheme}"
                    assert set(scopes) <= {"ro", "rw"}, f"{where}: scopes {scopes}"
            if method != "get":
                assert op.get("security") == [{"bearer": ["rw"]}], f"{where}: needs the rw scope"

    # --- answers -----------------------------------------------------------

    def match(self, path, strict=True):
        """(template, {name: value}) of the best documented path, or None."""
        segs = [urllib.parse.unquote(s) for s in path.strip("/").split("/")]
        best = None
        for template, tsegs in self.templates:
            if len(tsegs) != len(segs):
                continue
            values, literal = {}, 0
            for t, s in zip(tsegs, segs):
                m = re.fullmatch(r"{([^}]+)}", t)
                if m:
                    values[m.group(1)] = s
                elif t == s:
                    literal += 1
                else:
                    break
            else:
                if strict and any(not Validator(p["schema"]).is_valid(values[n])
                                  for n, p in self.path_params(template).items()):
                    continue
                # OpenAPI: a literal segment wins over a template; the leftmost one first
                key = [t[0] != "{" for t in tsegs]
                if best is None or key > best[2]:
                    best = (template, values, key)
        return best and best[:2]

    def check(self, method, target, status, ctype, body, what=""):
        """Fail (AssertionError) unless the document describes this answer."""
        method = method.lower()
        self.checked += 1
        path, _, query = target.partition("?")
        where = f"{self.name}: {method.upper()} {target} -> {status} {ctype} {what}"
        if isinstance(body, str):
            body = body.encode()
        if method == "options":
            assert status == 204 and not body, f"{where}: a preflight is a 204"
            return
        found = self.match(path)
        if not found:
            loose = self.match(path, strict=False)
            allowed = (400, 404, 405) if loose else (404,)
            assert status in allowed, f"{where}: no documented path; only {allowed} may answer"
            self.problem(where, status, ctype, body)
            return
        template, _ = found
        item = self.doc["paths"][template]
        if method not in item:
            assert status == 405, f"{where}: {template} has no {method.upper()}: 405"
            self.problem(where, status, ctype, body)
            return
        op = item[method]
        self.seen.add((method, template))
        if status == 400:
            self.problem(where, status, ctype, body)  # any request may be malformed
            if "400" in op["responses"] or self.bad_query(template, method, query):
                return
        resp = op["responses"].get(str(status)) or op["responses"].get(str(status)[0] + "XX")
        assert resp is not None, \
            f"{where}: {status} is not among {sorted(op['responses'])} of {template}"
        resp = self.deref(resp)
        content = resp.get("content", {})
        if not content:
            assert not body, f"{where}: the document says no body"
            return
        base = (ctype or "").split(";")[0].strip().lower()
        assert base in content, f"{where}: {base!r} is not among {sorted(content)}"
        self.body(where, base, content[base], body, status)

    def bad_query(self, template, method, query):
        """Does a query parameter fail its schema, or is a required one missing?"""
        got = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        for name, p in self.params(template, method, "query").items():
            if name not in got:
                if p.get("required"):
                    return True
            elif not Validator(p["schema"], resolver=self.resolver).is_valid(got[name]):
                return True
        return False

    def problem(self, where, status, ctype, body):
        assert (ctype or "").split(";")[0] == "application/problem+json", \
            f"{where}: a refusal is application/problem+json"
        doc = json.loads(body)
        self.validate(where, {"$ref": "#/components/schemas/Problem"}, doc)
        assert doc["status"] == status, f"{where}: the problem's status is {doc['status']}"

    def validate(self, where, schema, doc):
        errors = sorted(Validator(schema, resolver=self.resolver).iter_errors(doc),
                        key=lambda e: list(e.path))
        assert not errors, f"{where}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])

    def body(self, where, base, media, body, status):
        schema = media.get("schema")
        if base in JSON_TYPES:
            doc = json.loads(body)
            self.validate(where, schema or {}, doc)
            if base == "application/problem+json":
                assert doc["status"] == status, f"{where}: the problem's status"
        elif base == "text/event-stream":
            for data in check_events(where, body.decode()):
                # x-lwgate-event-data: the schema of every event's data on this stream
                self.validate(where, media.get("x-lwgate-event-data", {}), data)
        elif base == "application/link-format":
            text = body.decode()
            assert not text or re.fullmatch(r'<[^>]*>[^,]*(,<[^>]*>[^,]*)*', text) or \
                text.startswith("<"), f"{where}: not link-format"
        elif base in ("image/svg+xml", "application/atom+xml"):
            root = etree.parse(io.BytesIO(body)).getroot()
            want = {"image/svg+xml": "{http://www.w3.org/2000/svg}svg",
                    "application/atom+xml": "{http://www.w3.org/2005/Atom}feed"}[base]
            assert root.tag == want, f"{where}: root {root.tag}"
        elif base == "text/html":
            assert body.lstrip().lower().startswith(b"<!doctype html"), f"{where}: not HTML"


def check_events(where, text):
    """A text/event-stream as the API sends it: `: subscribed`, then event/data pairs;
    returns the events' data, parsed."""
    out = []
    assert text.startswith(": subscribed\n\n"), f"{where}: the stream opens with : subscribed"
    for block in text[len(": subscribed\n\n"):].split("\n\n"):
        if not block:
            continue
        lines = block.split("\n")
        if len(lines) < 2:
            continue  # the last event, cut where the test stopped reading
        assert lines[0].startswith("event: ") and lines[1].startswith("data: "), \
            f"{where}: event {block!r}"
        out.append(json.loads(lines[1][6:]))
    return out


SPECS = {}


def spec(name):
    """The document of one daemon ("lwm2md", "rdd", "lowpand"), loaded and linted once."""
    if name not in SPECS:
        SPECS[name] = Spec(name)
        SPECS[name].lint()
    return SPECS[name]
