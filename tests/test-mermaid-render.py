#!/usr/bin/env python3
"""--format mermaid, rendered: each diagram goes through mermaid.parse and mermaid.render in
headless Chromium, with the oldest Mermaid that Markdown viewers still ship and the newest; a
parse error fails. The demo's rendering is kept as build/tests/mermaid-demo.png. One browser
renders every version (each page loaded afresh): starting Chromium is what a busy machine makes
slow."""
import json
import os
import re
import tempfile

import browserlib
from taplib import SCENARIOS, SRCDIR, oauth_sim, run

# What the page does: parse and render each diagram, then write what it saw into #result.
CHECK = """
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
(async () => {
  const results = [];
  for (const [i, source] of DIAGRAMS.entries()) {
    try {
      await mermaid.parse(source);
      const { svg } = await mermaid.render("diagram" + i, source);
      const box = document.createElement("div");
      box.innerHTML = svg;
      document.body.appendChild(box);
      results.push({
        ok: true,
        solid: box.querySelectorAll(".messageLine0").length,
        dotted: box.querySelectorAll(".messageLine1").length,
        notes: box.querySelectorAll(".note").length,
        actors: [...new Set([...box.querySelectorAll("text.actor, .actor tspan")].map((t) => t.textContent.trim()))],
        text: box.textContent,
        error: /Syntax error/.test(box.textContent),
      });
    } catch (e) {
      results.push({ ok: false, message: String(e && (e.message || e.str) || e) });
    }
  }
  document.getElementById("result").textContent = JSON.stringify(results);
})().catch((e) => { document.getElementById("result").textContent = "crashed: " + e; });
"""


def page(mermaid_js, diagrams, check=CHECK):
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mermaid check</title>
<script src="file://{mermaid_js}"></script></head>
<body><pre id="result">not run</pre>
<script>const DIAGRAMS = {browserlib.script_json(diagrams)};</script>
<script>{check}</script></body></html>"""


def diagrams():
    status, demo, err = oauth_sim("demo", "--format", "mermaid")
    assert status == 0, err
    status, errors, err = oauth_sim("run", os.path.join(SRCDIR, "what-goes-wrong.json"), "--format", "mermaid")
    assert status == 0, err
    status, oidc, err = oauth_sim("run", "oidc/sign-in", "--format", "mermaid")
    assert status == 0, err
    # the implicit grant: a token in a fragment, which Mermaid must not take for an entity
    status, implicit, err = oauth_sim("run", os.path.join(SRCDIR, "..", "scenarios", "legacy", "implicit.json"),
                                      "--format", "mermaid")
    assert status == 0, err
    status, machine, err = oauth_sim("run", os.path.join(SCENARIOS, "client-credentials", "backup-service.json"),
                                     "--format", "mermaid")
    assert status == 0, err
    return [demo, errors, oidc, implicit, machine]


def render(version, sources):
    js = browserlib.mermaid_js(version)
    with tempfile.TemporaryDirectory(prefix="oauth-sim-mermaid-") as folder:
        path = os.path.join(folder, "check.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page(js, sources))
        driver = browserlib.shared_driver()
        driver.open(path)
        text = driver.wait_for_text("#result", "not run")
    assert text.startswith("["), f"mermaid {version}: {text[:500]}"
    return json.loads(text)


def check_version(version):
    sources = diagrams()
    results = render(version, sources)
    assert len(results) == len(sources)
    for source, result in zip(sources, results):
        assert result["ok"], f"mermaid {version} cannot parse the diagram: {result.get('message')}"
        assert not result["error"], f"mermaid {version} drew a syntax error"
        arrows = len(re.findall(r"^\s*\w+(?:->>|-->>|--x)[+-]\w+: ", source, re.M))
        assert result["solid"] + result["dotted"] == arrows, (version, result["solid"], result["dotted"], arrows)
        assert result["solid"] == result["dotted"], "a request and an answer per step"
        assert "Alice (resource owner)" in result["text"], result["text"][:300]
    demo, errors, oidc, implicit, machine = results
    # OpenID Connect: the keys fetched while the client answers the callback.
    assert "GET /.well-known/openid-configuration" in oidc["text"] and "GET /jwks" in oidc["text"]
    assert "POST /callback" in implicit["text"], implicit["text"][:400]
    assert "Phase: code exchange" in demo["text"] and "6 · POST /token" in demo["text"]
    assert "Phase: token request" in machine["text"] and "2 · POST /token" in machine["text"]
    assert "3 · GET /service/status" in machine["text"], machine["text"][:400]
    # Entity codes come back as the characters they stand for.
    assert 'a wrong secret; a lost message # "quoted" <b>end</b>' in errors["text"], errors["text"][:400]
    assert "<script>alert(1)</script>" in errors["text"]


def make_test(version):
    def test():
        check_version(version)
    test.__name__ = "test_mermaid_" + version.replace(".", "_")
    return test


def test_screenshot_of_the_demo():
    js = browserlib.mermaid_js(browserlib.MERMAID_VERSIONS[-1])
    demo = diagrams()[0]
    draw = """
mermaid.initialize({ startOnLoad: false });
mermaid.render("demo", DIAGRAMS[0]).then(({ svg }) => {
  document.getElementById("result").innerHTML = svg;
});
"""
    path = os.path.join(browserlib.BUILDDIR, "mermaid-demo.html")
    png = os.path.join(browserlib.BUILDDIR, "mermaid-demo.png")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page(js, [demo], draw).replace("<pre id=\"result\">not run</pre>", "<div id=\"result\"></div>"))
    if os.path.exists(png):
        os.unlink(png)
    driver = browserlib.shared_driver(1400, 4200)
    driver.open(path)
    driver.wait_for("return document.querySelector('#result svg') !== null;", timeout=30)
    driver.screenshot(png)


run([make_test(v) for v in browserlib.MERMAID_VERSIONS] + [test_screenshot_of_the_demo])
