#!/usr/bin/env python3
"""The legacy grants as lessons (scenarios/legacy/, docs/attack-lab.md): the password grant
hands the client the owner's password, which --show-knowledge shows; the implicit grant puts
the access token in the fragment, which the browser keeps and never sends. Both are refused
under the default profile, as they always were."""
import json
import os

from taplib import SCENARIOS, oauth_sim, run

PASSWORD = os.path.join(SCENARIOS, "legacy", "password.json")
IMPLICIT = os.path.join(SCENARIOS, "legacy", "implicit.json")


def steps(*args):
    status, out, err = oauth_sim("run", "--format", "jsonl", *args)
    assert status in (0, 1), err
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"step"')]


def holders(step, secret):
    return sorted(actor for actor, held in step["knowledge"].items() if secret in held)


def test_the_password_lesson_shows_the_client_holding_the_password():
    status, out, err = oauth_sim("run", PASSWORD, "--show-knowledge", "--no-color")
    assert status == 0, err
    before, after = out.split("POST https://client.example/login", 1)
    assert "client          password" not in before
    assert "client          password, client_secret, access_token" in after, after
    trace = steps(PASSWORD)
    login = next(s for s in trace if s["url"].endswith("/login"))
    token = next(s for s in trace if s["url"].endswith("/token"))
    assert login["to"] == "client" and login["request"]["body"]["password"] == "wonderland"
    assert token["request"]["body"]["grant_type"] == "password"
    assert "client" in holders(token, "password")
    # the classic lesson, for contrast: never
    for step in steps(os.path.join(SCENARIOS, "classic.json")):
        assert "client" not in holders(step, "password"), step["step"]


def test_the_implicit_lesson_keeps_the_token_in_the_fragment():
    trace = steps(IMPLICIT)
    consent = next(s for s in trace if s["url"].endswith("/consent"))
    location = consent["response"]["headers"]["Location"]
    assert "#access_token=" in location and "?" not in location, location
    assert "resource-owner" in holders(consent, "access_token")
    arrival = next(s for s in trace if s["method"] == "GET" and s["url"].startswith("https://client.example/callback"))
    assert arrival["url"] == "https://client.example/callback", arrival["url"]  # no fragment sent
    posted = next(s for s in trace if s["method"] == "POST" and s["url"].endswith("/callback"))
    assert posted["from"] == "resource-owner" and "access_token" in posted["request"]["body"]
    assert not any(s["url"].endswith("/token") for s in trace)  # no token request at all


def test_refused_under_the_default_profile():
    password = steps(PASSWORD, "--profile", "bcp9700")
    assert password[0]["status"] == 400, password[0]  # registration of grant_types password
    assert not any(s["url"].endswith("/token") and s["status"] == 200 for s in password)
    implicit = steps(IMPLICIT, "--profile", "oauth2.1")
    assert implicit[0]["status"] == 400


def test_the_lessons_play_in_korean():
    for lesson in (PASSWORD, IMPLICIT):
        status, out, err = oauth_sim("run", lesson, "--lang", "ko", "--no-color")
        assert status == 0, err
        assert "프래그먼트" in out or "비밀번호 그랜트" in out, out[:400]


run([test_the_password_lesson_shows_the_client_holding_the_password,
     test_the_implicit_lesson_keeps_the_token_in_the_fragment, test_refused_under_the_default_profile,
     test_the_lessons_play_in_korean])
