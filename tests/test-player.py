#!/usr/bin/env python3
"""--format html, used as a teacher would: the page opens from a file with nothing fetched,
steps with the keyboard and the buttons, opens a step's raw HTTP, shows who knows what, and
goes big for a projector. One browser serves every subtest (each page is loaded afresh), since
starting Chromium is what a busy machine makes slow. Screenshots are kept in build/tests as
player-step6.png and player-projector.png."""
import json
import os
import re

import browserlib
from taplib import SCENARIOS, SRCDIR, oauth_sim, run

OUT = browserlib.BUILDDIR
DATA = re.compile(r'(<script type="application/json" id="trace-data">)(.*?)(</script>)', re.S)


def page(*args, name):
    status, html, err = oauth_sim(*args, "--format", "html")
    assert status == 0, err
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    return path, html


def jsonl(*args):
    status, out, err = oauth_sim(*args, "--format", "jsonl")
    assert status == 0, err
    return [json.loads(line) for line in out.splitlines()]


def rewrite_data(html, change):
    """The page with its embedded trace changed by @change, embedded again as the sink does."""
    found = DATA.search(html)
    data = json.loads(found.group(2))
    change(data)
    return html[:found.start(2)] + browserlib.script_json(data) + html[found.end(2):]


def position(driver):
    return driver.text("#position")


def knowledge_shown(driver):
    return driver.run("""
        const rows = [...document.querySelectorAll('#knowledge-body tr')];
        return { state: document.getElementById('knowledge-body').dataset.state,
                 text: document.getElementById('knowledge-body').innerText,
                 rows: Object.fromEntries(rows.map((r) => [r.dataset.actor,
                         [...r.querySelectorAll('.secret')].map((s) => s.textContent)])) };""")


def test_page_is_self_contained():
    _, html = page("demo", name="player-demo.html")
    assert html.startswith("<!DOCTYPE html>")
    for pattern in (r"<script[^>]*\bsrc=", r"<link\b", r"<img\b", r"<iframe\b", r"url\(", r"@import",
                    r"\bfetch\(", r"XMLHttpRequest"):
        assert not re.search(pattern, html), pattern
    assert len(re.findall(r"<script\b", html)) == 2 and len(re.findall(r"</script>", html)) == 2
    embedded = DATA.search(html).group(2)
    assert "<" not in embedded and ">" not in embedded
    data = json.loads(embedded)
    assert data["steps"] == jsonl("demo"), "the page carries the JSON Lines trace, step for step"


def test_markup_in_the_trace_stays_text():
    path, html = page("run", os.path.join(SRCDIR, "what-goes-wrong.json"), name="player-errors.html")
    assert "</script><!--" not in DATA.search(html).group(2)
    steps = jsonl("run", os.path.join(SRCDIR, "what-goes-wrong.json"))
    failed = [s for s in steps if s["status"] == 0 or s["status"] >= 400]
    driver = browserlib.shared_driver()
    driver.open(path)
    driver.wait_for("return document.getElementById('position').textContent.includes('1');")
    assert driver.run("return document.scripts.length;") == 2, "the trace's </script> closed nothing"
    driver.press("End")
    assert position(driver) == f"Step {len(steps)} of {len(steps)}", position(driver)
    assert driver.run("return document.querySelectorAll('.arrow.failed').length;") == len(failed)
    noted = next(s["step"] for s in steps if s["notes"])
    driver.press("Home")
    for _ in range(noted - 1):
        driver.press("ArrowRight")
    assert "<script>alert(1)</script> and end %% and }%% and </script><!--" in driver.text("#notes")
    assert driver.text("#title").startswith('What goes wrong: a wrong secret; a lost message # "quoted" <b>end</b>')


def test_five_steps_forward_show_step_six():
    path, html = page("demo", name="player-demo.html")
    steps = {s["step"]: s for s in jsonl("demo")}
    driver = browserlib.shared_driver()
    driver.open(path)
    assert position(driver) == "Step 1 of 13", position(driver)
    for _ in range(5):
        driver.press("ArrowRight")
    assert position(driver) == "Step 6 of 13", position(driver)
    assert driver.run("return document.body.dataset.step;") == "6"
    assert driver.text("#actors").startswith("Calendar app (client) → Authorization server"), driver.text("#actors")
    assert "while answering step 5" in driver.text("#actors")
    assert driver.text("#phase") == "code exchange"
    assert driver.text("#narration") == steps[6]["narration"]
    visible = driver.run("return [...document.querySelectorAll('.row.message:not(.hidden)')].map((r) => r.dataset.step);")
    assert visible == ["1", "1", "2", "2", "3", "3", "4", "4", "5", "6", "6", "5"], visible
    current = driver.run("return [...document.querySelectorAll('.row.current')].map((r) => r.dataset.step);")
    assert current == ["6", "6"], current

    # Who knows what, after the last answer shown (step 5's, which comes after step 6's).
    shown = knowledge_shown(driver)
    assert driver.text("#knowledge-when") == "after the answer to step 5", driver.text("#knowledge-when")
    if "knowledge" in steps[5]:
        assert shown["state"] == "available", shown
        assert shown["rows"] == steps[5]["knowledge"], (shown["rows"], steps[5]["knowledge"])
        assert "password" not in shown["rows"]["client"], "the lesson: the client never sees it"
        assert "code_verifier" in shown["rows"]["client"], "made at step 2, held since"
        assert "password_hash" in shown["rows"]["auth-server"], "held from the start"
        legend = driver.text("#knowledge-legend")
        assert legend == "The secrets each actor holds: given at the start, made itself, or seen in a message.", legend
    else:
        assert shown["state"] == "not-available" and shown["text"] == "not available", shown

    # The raw HTTP of the step, one click away.
    driver.click("#request summary")
    request = driver.text("#request pre")
    assert request.startswith("POST https://auth.example/token\n"), request
    assert "Authorization: Basic " in request and "grant_type=authorization_code" in request, request
    driver.click("#response summary")
    response = driver.text("#response pre")
    assert response.startswith("200 OK\n") and '"token_type": "Bearer"' in response, response
    driver.screenshot(os.path.join(OUT, "player-step6.png"))

    driver.press("ArrowLeft")
    assert position(driver) == "Step 5 of 13"
    assert "answered after step 6" in driver.text("#exchange"), driver.text("#exchange")
    driver.click("#next")
    assert position(driver) == "Step 6 of 13"
    driver.click("#back")
    assert position(driver) == "Step 5 of 13"
    driver.press("End")
    assert position(driver) == "Step 13 of 13"
    assert driver.run("return document.getElementById('next').disabled;") is True
    driver.press("Home")
    assert position(driver) == "Step 1 of 13"


def test_oidc_sign_in_shows_the_decoded_id_token():
    """The OpenID Connect lesson in the player: the client's answer to the callback says what the
    ID token decodes to, as the JSON Lines trace does."""
    path, html = page("run", "oidc/sign-in", name="player-oidc.html")
    steps = jsonl("run", "oidc/sign-in")
    answer = next(s for s in steps if "decodes the ID token" in s.get("narration", ""))
    driver = browserlib.shared_driver()
    driver.open(path)
    for _ in range(steps.index(answer)):
        driver.press("ArrowRight")
    assert driver.text("#narration") == answer["narration"], driver.text("#narration")
    assert '"nonce": "n_' in driver.text("#narration") and "§3.1.3.7" in driver.text("#narration")


def test_play_and_projector():
    path, _ = page("demo", name="player-demo.html")
    driver = browserlib.shared_driver()
    driver.open(path)
    driver.click("#play")
    assert "Pause" in driver.text("#play")
    driver.wait_for("return document.body.dataset.step === '2';", timeout=8)
    driver.press("Space")
    assert "Play" in driver.text("#play")
    stopped = driver.run("return document.body.dataset.step;")
    normal = driver.run("return parseFloat(getComputedStyle(document.documentElement).fontSize);")
    driver.press("p")
    assert driver.run("return document.documentElement.classList.contains('projector');") is True
    big = driver.run("return parseFloat(getComputedStyle(document.documentElement).fontSize);")
    heading = driver.run("return parseFloat(getComputedStyle(document.getElementById('actors')).fontSize);")
    assert big >= 1.4 * normal and heading >= 24, (normal, big, heading)
    for _ in range(4):
        driver.press("ArrowRight")
    assert driver.run("return document.body.dataset.step;") == str(int(stopped) + 4)
    driver.screenshot(os.path.join(OUT, "player-projector.png"))
    driver.click("#projector")
    assert driver.run("return document.documentElement.classList.contains('projector');") is False


def test_client_credentials_lesson_plays():
    lesson = os.path.join(SCENARIOS, "client-credentials", "backup-service.json")
    path, _ = page("run", lesson, name="player-client-credentials.html")
    steps = jsonl("run", lesson)
    driver = browserlib.shared_driver()
    driver.open(path)
    assert position(driver) == f"Step 1 of {len(steps)}", position(driver)
    driver.press("ArrowRight")
    assert driver.text("#phase") == "token request"
    assert driver.text("#actors").startswith("Calendar app (client) → Authorization server"), driver.text("#actors")
    colour = driver.run("return getComputedStyle(document.getElementById('phase')).backgroundColor;")
    assert colour == "rgb(178, 60, 23)", colour
    driver.click("#request summary")
    assert "grant_type=client_credentials" in driver.text("#request pre")
    driver.click("#response summary")
    response = driver.text("#response pre")
    assert response.startswith("200 OK\n") and "refresh_token" not in response, response


def test_knowledge_hook_with_and_without_data():
    _, html = page("demo", name="player-demo.html")

    def strip(data):
        for step in data["steps"]:
            step.pop("knowledge", None)

    def give(data):
        for step in data["steps"]:
            step["knowledge"] = {"resource-owner": ["password"], "client": [], "attacker": ["code"]}

    driver = browserlib.shared_driver()
    for name, change in (("player-no-knowledge.html", strip), ("player-knowledge.html", give)):
        path = os.path.join(OUT, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(rewrite_data(html, change))
        driver.open(path)
        for _ in range(5):
            driver.press("ArrowRight")
        shown = knowledge_shown(driver)
        if change is strip:
            assert shown["state"] == "not-available" and shown["text"] == "not available", shown
        else:
            assert shown["state"] == "available", shown
            assert shown["rows"] == {"resource-owner": ["password"], "client": [], "attacker": ["code"]}
            assert "no secrets" in shown["text"] and "Alice (resource owner)" in shown["text"], shown


def test_the_password_lesson_shows_the_client_holding_the_password():
    """The legacy password grant (scenarios/legacy/password.json): by the token step, the
    who-knows-what panel lists the password for the client, as the trace does."""
    lesson = os.path.join(SRCDIR, "..", "scenarios", "legacy", "password.json")
    path, _ = page("run", lesson, name="player-password.html")
    steps = jsonl("run", lesson)
    token = next(s["step"] for s in steps if s.get("url", "").endswith("/token"))
    driver = browserlib.shared_driver()
    driver.open(path)
    for _ in range(token - 1):
        driver.press("ArrowRight")
    assert driver.run("return document.body.dataset.step;") == str(token)
    shown = knowledge_shown(driver)
    assert shown["state"] == "available", shown
    assert "password" in shown["rows"]["client"], shown


run([test_page_is_self_contained, test_markup_in_the_trace_stays_text, test_five_steps_forward_show_step_six,
     test_oidc_sign_in_shows_the_decoded_id_token,
     test_play_and_projector, test_client_credentials_lesson_plays, test_knowledge_hook_with_and_without_data,
     test_the_password_lesson_shows_the_client_holding_the_password])
