#!/usr/bin/python3
"""rdd's HTTP API (daemons/rdd/httpapi.c): the RFC 9176 lookups over HTTP
with their filters, answered as link-format, JSON, HTML and Atom by content
negotiation.  The HTML is read by lxml's HTML parser, the Atom feed by
feedparser (python3-lxml, python3-feedparser); registrations come from
libcoap's coap-client-openssl (the rdd tests' harness).

Usage: test_rdd_http.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rdd"))
sys.path.insert(0, os.path.join(HERE, ".."))
import feedparser  # noqa: E402
import lwgtest  # noqa: E402
import lxml.html  # noqa: E402
import openapi_check  # noqa: E402
import test_rdd as tr  # noqa: E402

HTTP_PORT = lwgtest.free_port(socket.SOCK_STREAM)


def get(path, accept=None, h2=False):
    args = ["curl", "-sS", "--max-time", "30", "-w", "\n%{http_code} %{content_type}",
            "--http2-prior-knowledge" if h2 else "--http1.1"]
    if accept:
        args += ["-H", "Accept: " + accept]
    out = subprocess.run(args + [f"http://127.0.0.1:{HTTP_PORT}{path}"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    body, _, tail = out.stdout.rpartition("\n")
    code, _, ctype = tail.partition(" ")
    # every answer must be one doc/openapi/rdd.yaml describes
    openapi_check.spec("rdd").check("GET", path, int(code), ctype, body, f"Accept: {accept}")
    return int(code), ctype, body


class RddHttpTests(tr.RddCase):
    EXTRA = f"[http]\nenabled = yes\nport = {HTTP_PORT}\n"

    def setUp(self):
        super().setUp()
        for ep, et in (("node1", "oic.d.sensor"), ("node<2>&", "")):
            q = f"ep={ep.replace('<', '%3C').replace('>', '%3E').replace('&', '%26')}&lt=300"
            if et:
                q += "&et=" + et
            r = self.rdd.coap("post", "/rd?" + q, tr.RFC9176_LINKS, cf=40)
            self.assertEqual(r.code, "2.01", r)

    def test_link_format_and_json(self):
        for h2 in (False, True):
            code, ctype, body = get("/rd-lookup/ep?et=oic.d.sensor", h2=h2)
            self.assertEqual((code, ctype), (200, "application/link-format"))
            [link] = tr.links(body)
            self.assertIn('ep="node1"', link)
            self.assertIn('et="oic.d.sensor"', link)
        code, ctype, body = get("/rd-lookup/ep", accept="application/json")
        self.assertEqual((code, ctype), (200, "application/json"))
        cli = subprocess.run([os.path.join(tr.BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                              self.tmp, "rdd", "endpoints"], capture_output=True, text=True)
        self.assertEqual(sorted(r["ep"] for r in json.loads(body)),
                         sorted(r["ep"] for r in json.loads(cli.stdout)))
        code, ctype, body = get("/rd-lookup/res?rt=light-lux")
        self.assertEqual(code, 200)
        self.assertEqual(len(tr.links(body)), 2)
        self.assertTrue(all('rt="light-lux"' in link for link in tr.links(body)))

    def test_html(self):
        code, ctype, body = get("/rd-lookup/ep", accept="text/html,application/xhtml+xml;q=0.9")
        self.assertEqual((code, ctype), (200, "text/html; charset=utf-8"))
        doc = lxml.html.document_fromstring(body)
        rows = doc.xpath("//table/tr[td]")
        self.assertEqual(len(rows), 2)
        names = sorted(r.xpath("td[1]/a")[0].text for r in rows)
        self.assertEqual(names, ["node1", "node<2>&"])  # escaped in, parsed back out
        hrefs = sorted(r.xpath("td[1]/a/@href")[0] for r in rows)
        self.assertEqual(hrefs, ["/rd-lookup/res?ep=node%3C2%3E%26", "/rd-lookup/res?ep=node1"])
        code, _, body = get(hrefs[0], accept="text/html")
        rows = lxml.html.document_fromstring(body).xpath("//table/tr[td]")
        self.assertEqual(len(rows), 2)

    def test_atom(self):
        code, ctype, body = get("/rd-lookup/ep", accept="application/atom+xml")
        self.assertEqual((code, ctype), (200, "application/atom+xml"))
        feed = feedparser.parse(body)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        self.assertEqual(sorted(e.title for e in feed.entries), ["node1", "node<2>&"])
        first = {e.title: e.updated_parsed for e in feed.entries}["node1"]
        # a re-registration (an update) moves its entry's updated time forward or keeps it
        loc = [r for r in json.loads(get("/rd-lookup/ep?ep=node1", "application/json")[2])][0]
        self.assertEqual(self.rdd.coap("post", loc["location"] + "?lt=400").code, "2.04")
        feed = feedparser.parse(get("/rd-lookup/ep", accept="application/atom+xml")[2])
        self.assertGreaterEqual({e.title: e.updated_parsed for e in feed.entries}["node1"], first)

    def test_negotiation_and_errors(self):
        self.assertEqual(get("/rd-lookup/ep", accept="image/png")[0], 406)
        self.assertEqual(get("/rd-lookup/res", accept="application/atom+xml")[0], 406)
        self.assertEqual(get("/rd-lookup/ep", accept="text/*")[1], "text/html; charset=utf-8")
        self.assertEqual(get("/rd-lookup/ep", accept="*/*")[1], "application/link-format")
        self.assertEqual(get("/rd-lookup/ep",
                             accept="application/json;q=0.5, text/html;q=0.8")[1],
                         "text/html; charset=utf-8")
        code, ctype, body = get("/rd-lookup/ep?page=x")
        self.assertEqual((code, ctype), (400, "application/problem+json"))
        self.assertEqual(json.loads(body)["code"], "bad_args")
        self.assertEqual(get("/api/topics")[0], 200)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tr, lwgtest])
