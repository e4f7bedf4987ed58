#!/usr/bin/env python3
"""Profiles (docs/profiles.md): a scenario's "profile" and --profile, the scenario's own
settings over its profile, and the attack lab under each profile.

bcp9700 is the default and must play every scenario exactly as before; rfc6749 and oauth2.1
must change what the actors do, seen in the trace, never only in the narration."""
import json
import os
import shutil
import tempfile

from taplib import SCENARIOS, oauth_sim, run

PROFILES = ["rfc6749", "bcp9700", "oauth2.1"]


def write(folder, name, scenario):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(scenario, f)
    return path


def trace(*args):
    status, out, err = oauth_sim("run", "--format", "jsonl", *args)
    assert status in (0, 1), err
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"step"')]


def exchange(steps, method, path):
    return next(s for s in steps if s["method"] == method and s["url"].split("?")[0].endswith(path))


def authorize_query(steps):
    return exchange(steps, "GET", "/authorize")["url"].split("?", 1)[1]


FLOW = [{"actor": "client", "action": "register"},
        {"actor": "resource-owner", "action": "connect"},
        {"actor": "resource-owner", "action": "consent"}]


def test_bcp9700_is_the_default_byte_for_byte():
    classic = os.path.join(SCENARIOS, "classic.json")
    _, plain, _ = oauth_sim("run", classic, "--format", "jsonl")
    _, named, _ = oauth_sim("run", classic, "--format", "jsonl", "--profile", "bcp9700")
    assert plain == named and plain.count('"step"') > 5
    _, text_plain, _ = oauth_sim("demo", "--no-color")
    _, text_named, _ = oauth_sim("demo", "--no-color", "--profile", "bcp9700")
    assert text_plain == text_named and "Profile " not in text_plain
    folder = tempfile.mkdtemp()
    try:
        with open(classic, encoding="utf-8") as f:
            scenario = json.load(f)
        scenario["profile"] = "bcp9700"
        _, written, _ = oauth_sim("run", write(folder, "c.json", scenario), "--format", "jsonl")
    finally:
        shutil.rmtree(folder)
    assert written == plain


def test_rfc6749_changes_what_the_actors_do():
    steps = trace(os.path.join(SCENARIOS, "classic.json"), "--profile", "rfc6749")
    assert "code_challenge" not in authorize_query(steps)
    consent = exchange(steps, "POST", "/consent")
    assert "iss=" not in consent["response"]["headers"]["Location"]
    assert "Referrer-Policy" not in exchange(steps, "GET", "/authorize")["response"]["headers"]
    # no rotation: the refresh answer carries no new refresh token
    refresh = [s for s in steps if s["method"] == "POST" and s["url"].endswith("/token")][-1]
    assert "refresh_token" not in refresh["response"]["body"], refresh
    status, out, _ = oauth_sim("demo", "--no-color", "--profile", "rfc6749")
    assert "Profile rfc6749: RFC 6749 as published in 2012" in out


def test_the_scenarios_settings_go_over_its_profile():
    folder = tempfile.mkdtemp()
    try:
        path = write(folder, "s.json", {
            "title": "rfc6749, with iss and the app's PKCE said explicitly",
            "profile": "rfc6749",
            "defenses": {"iss_parameter": True},
            "client": {"pkce": True},
            "steps": FLOW})
        steps = trace(path)
        # and --profile replaces the file's profile, not its explicit settings
        over = trace(path, "--profile", "bcp9700")
    finally:
        shutil.rmtree(folder)
    assert "code_challenge=" in authorize_query(steps)
    assert "iss=" in exchange(steps, "POST", "/consent")["response"]["headers"]["Location"]
    assert "Referrer-Policy" not in exchange(steps, "GET", "/authorize")["response"]["headers"]
    assert "Referrer-Policy" in exchange(over, "GET", "/authorize")["response"]["headers"]
    assert "code_challenge=" in authorize_query(over)


def test_oauth21_requires_pkce_of_confidential_clients():
    folder = tempfile.mkdtemp()
    try:
        path = write(folder, "s.json", {"title": "a confidential client without PKCE",
                                        "client": {"pkce": False}, "steps": FLOW})
        allowed = trace(path)
        refused = trace(path, "--profile", "oauth2.1")
        status, out, err = oauth_sim("check", "--profile", "oauth2.1", path)
    finally:
        shutil.rmtree(folder)
    assert exchange(allowed, "GET", "/authorize")["status"] == 200
    answer = exchange(refused, "GET", "/authorize")
    assert answer["status"] == 302 and "error=invalid_request" in answer["response"]["headers"]["Location"]
    assert status == 0, out + err


def test_rfc6749_lets_a_public_client_go_without_pkce():
    folder = tempfile.mkdtemp()
    try:
        path = write(folder, "s.json", {"title": "a public client without PKCE",
                                        "client": {"auth_method": "none", "pkce": False},
                                        "steps": FLOW})
        refused = trace(path)
        allowed = trace(path, "--profile", "rfc6749")
    finally:
        shutil.rmtree(folder)
    assert "error=invalid_request" in exchange(refused, "GET", "/authorize")["response"]["headers"]["Location"]
    assert exchange(allowed, "POST", "/token")["status"] == 200


def test_a_bad_profile_is_refused():
    status, _, err = oauth_sim("demo", "--profile", "rfc6750")
    assert status == 2 and "unknown profile “rfc6750”; expected rfc6749, bcp9700, oauth2.1" in err, err
    status, _, err = oauth_sim("run", "classic", "--profile", "all")
    assert status == 2 and "unknown profile “all”" in err, err
    folder = tempfile.mkdtemp()
    try:
        path = write(folder, "s.json", {"title": "t", "profile": "rfc6750", "steps": FLOW})
        status, _, err = oauth_sim("run", path)
    finally:
        shutil.rmtree(folder)
    assert status == 2 and "s.json:1:" in err and "'profile' cannot be 'rfc6750' (did you mean 'rfc6749'?)" in err, err


def test_check_with_a_profile_compares_no_golden_trace():
    folder = os.path.join(SCENARIOS, "profiles")
    status, out, err = oauth_sim("check", folder)
    assert status == 0, out + err
    status, out, err = oauth_sim("check", "--profile", "bcp9700", folder)
    assert status == 1 and "golden" not in out, out
    status, _, err = oauth_sim("check", "--profile", "rfc6749", "--update-golden", folder)
    assert status == 2 and "cannot be used with --profile" in err, err


def lab(*args):
    status, out, err = oauth_sim("attacks", "--format", "json", *args, timeout=120)
    assert status == 0, err
    return json.loads(out)


def test_attacks_by_profile():
    combined = lab("--profile", "all")
    assert [p["name"] for p in combined["profiles"]] == PROFILES
    attacks = combined["attacks"]
    plain = lab()
    assert [a["name"] for a in attacks] == [a["name"] for a in plain["attacks"]]
    stops = {p["name"]: p["stops"] for p in combined["profiles"]}
    assert stops["bcp9700"] == len(attacks) and stops["oauth2.1"] == len(attacks), stops
    assert 0 < stops["rfc6749"] < len(attacks), stops
    by_name = {a["name"]: a["stopped"] for a in attacks}
    assert by_name["CSRF on the callback"]["rfc6749"] is True       # RFC 6749 §10.12
    assert by_name["Redirect URI manipulation"]["rfc6749"] is False  # prefix matching
    # the combined view agrees with each profile's own matrix
    for profile in PROFILES:
        under = lab("--profile", profile)
        assert under["profile"] == profile
        assert {a["name"]: a["stopped"] for a in under["attacks"]} == \
               {name: stopped[profile] for name, stopped in by_name.items()}


def test_attacks_under_one_profile_say_which_defense():
    under = {a["name"]: a for a in lab("--profile", "rfc6749")["attacks"]}
    redirect = under["Redirect URI manipulation"]
    assert not redirect["stopped"] and redirect["cells"]["exact_redirect_uri"] == "would-stop"
    csrf = under["CSRF on the callback"]
    assert csrf["stopped"] and csrf["cells"]["state_check"] == "stops"
    strict = {a["name"]: a for a in lab("--profile", "bcp9700")["attacks"]}
    assert strict["Redirect URI manipulation"]["cells"]["exact_redirect_uri"] == "stops"
    assert all(a["stopped"] for a in strict.values())
    assert all(c in ("stops", "on") for a in strict.values() for c in a["cells"].values())
    status, out, err = oauth_sim("attacks", "--profile", "rfc6749", timeout=120)
    assert status == 0 and out.startswith("The attack lab under the profile rfc6749: it stops "), out
    assert "   WORKS" in out and "   stopped" in out
    status, out, err = oauth_sim("attacks", "--profile", "all", "--lang", "ko", timeout=120)
    assert status == 0 and "각 프로파일이 어느 공격을 막는가" in out, out + err


run([test_bcp9700_is_the_default_byte_for_byte, test_rfc6749_changes_what_the_actors_do,
     test_the_scenarios_settings_go_over_its_profile, test_oauth21_requires_pkce_of_confidential_clients,
     test_rfc6749_lets_a_public_client_go_without_pkce, test_a_bad_profile_is_refused,
     test_check_with_a_profile_compares_no_golden_trace, test_attacks_by_profile,
     test_attacks_under_one_profile_say_which_defense])
