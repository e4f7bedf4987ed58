#!/usr/bin/env python3
"""oauth-sim explore: the bounded model checker finds attacks by itself and writes each one as
a scenario that `oauth-sim check` passes while the defense is off and fails once it is on.

Each case at the smallest depth that finds it, to stay quick on a busy machine; docs/explore.md
has the figures at the default depth."""
import json
import os
import tempfile

from taplib import SCENARIOS, oauth_sim, run

CLASSIC = os.path.join(SCENARIOS, "classic.json")


def world(folder, defenses=None, steps=None, client=None):
    """classic.json with an attacker, some defenses off (and some client settings); returns
    the file's path."""
    with open(CLASSIC, encoding="utf-8") as f:
        scenario = json.load(f)
    scenario["attacker"] = {}
    if client is not None:
        scenario["client"].update(client)
    if defenses is not None:
        scenario["defenses"] = defenses
    if steps is not None:
        scenario["steps"] = steps
    path = os.path.join(folder, "world.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(scenario, f, ensure_ascii=False)
    return path


def explore(path, out, *more, timeout=120):
    status, stdout, err = oauth_sim("explore", path, "--out", out, "--format", "json", *more,
                                    timeout=timeout)
    last = stdout.strip().splitlines()[-1] if stdout.strip() else "null"
    return status, json.loads(last), err


def flip_defenses_on(path):
    with open(path, encoding="utf-8") as f:
        scenario = json.load(f)
    scenario["defenses"] = {}
    on = path.replace(".json", "-defense-on.json")
    with open(on, "w", encoding="utf-8") as f:
        json.dump(scenario, f, ensure_ascii=False)
    return on


def test_csrf_is_found_written_and_replayed():
    folder = tempfile.mkdtemp()
    out = os.path.join(folder, "out")
    status, result, err = explore(world(folder, {"state_check": False}), out, "--depth", "4")
    assert status == 1, (status, err)
    for key in ("states", "transitions", "seconds", "states_per_sec", "depth", "violations"):
        assert key in result, key
    assert result["depth"] == 4
    found = {v["property"]: v for v in result["violations"]}
    v = found["session-never-bound-to-attacker"]
    assert v["steps"] == 3, v       # register, the attacker's own code, the forged callback
    assert os.path.isfile(v["file"]) and v["replays"]
    with open(v["file"], encoding="utf-8") as f:
        written = json.load(f)
    actions = [(s["actor"], s["action"]) for s in written["steps"]]
    assert actions == [("client", "register"), ("attacker", "authorize"), ("attacker", "forge-callback")], actions
    status, tap, _ = oauth_sim("check", v["file"])
    assert status == 0 and "ok 1" in tap, tap
    status, tap, _ = oauth_sim("check", flip_defenses_on(v["file"]))
    assert status == 1 and "not ok 1" in tap, tap


def test_code_replay_is_found():
    folder = tempfile.mkdtemp()
    out = os.path.join(folder, "out")
    status, result, err = explore(world(folder, {"single_use_codes": False}), out, "--depth", "4")
    assert status == 1, (status, err)
    v = {v["property"]: v for v in result["violations"]}["code-buys-tokens-once"]
    assert v["replays"]
    status, _, _ = oauth_sim("check", v["file"])
    assert status == 0
    status, _, _ = oauth_sim("check", flip_defenses_on(v["file"]))
    assert status == 1


# Each defense of the attack lab off, alone, in classic.json with an attacker: the depth at
# which explore finds it (docs/explore.md has them all at the default depth, 6) and the
# property broken. The last two need the lesson's client: a redirect URI that a host of the
# attacker's can start with, a page that embeds the attacker's image; both public clients.
PUBLIC = {"auth_method": "none"}
REDISCOVERED = [
    ("state_check", None, 3, "session-never-bound-to-attacker"),
    ("single_use_codes", None, 4, "code-buys-tokens-once"),
    ("iss_parameter", None, 4, "codes-and-tokens-to-intended-party"),
    ("audience_restriction", None, 5, "attacker-never-reads-owner-data"),
    ("consent_frame_protection", None, 4, "attacker-never-reads-owner-data"),
    ("pkce", None, 5, "session-never-bound-to-attacker"),
    ("pkce_downgrade_protection", None, 5, "session-never-bound-to-attacker"),
    ("exact_redirect_uri", dict(PUBLIC, redirect_uri="https://client.example"), 5,
     "attacker-never-reads-owner-data"),
    ("referrer_policy", dict(PUBLIC, embed="https://attacker.example/pixel.gif"), 5,
     "attacker-never-reads-owner-data"),
]


def test_each_defense_off_is_rediscovered():
    for defense, client, depth, prop in REDISCOVERED:
        folder = tempfile.mkdtemp()
        status, result, err = explore(world(folder, {defense: False}, client=client),
                                      os.path.join(folder, "out"), "--depth", str(depth))
        found = {v["property"]: v for v in result["violations"]}
        assert status == 1 and prop in found, (defense, status, result, err)
        v = found[prop]
        assert v["steps"] <= depth and v["replays"], (defense, v)
        assert oauth_sim("check", v["file"])[0] == 0, (defense, v["file"])
        assert oauth_sim("check", flip_defenses_on(v["file"]))[0] == 1, (defense, v["file"])


def test_all_defenses_on_finds_nothing_and_counts_states():
    folder = tempfile.mkdtemp()
    status, result, err = explore(world(folder), os.path.join(folder, "out"), "--depth", "5")
    assert status == 0, (status, result, err)
    assert result["violations"] == []
    assert result["depth_done"] == 5
    assert result["states"] > 3000 and result["transitions"] > result["states"], result
    assert result["peak_kib"] > 0
    assert not os.path.exists(os.path.join(folder, "out"))


def test_the_search_is_deterministic():
    folder = tempfile.mkdtemp()
    path = world(folder, {"consent_frame_protection": False})
    first = explore(path, os.path.join(folder, "a"), "--depth", "4")[1]
    second = explore(path, os.path.join(folder, "b"), "--depth", "4")[1]
    assert first["states"] == second["states"] and first["transitions"] == second["transitions"]
    names = lambda r: [(v["property"], v["steps"]) for v in r["violations"]]
    assert names(first) == names(second) and names(first), names(first)
    for a, b in zip(first["violations"], second["violations"]):
        assert open(a["file"], "rb").read() == open(b["file"], "rb").read()


def test_counterexample_plays_as_any_lesson():
    folder = tempfile.mkdtemp()
    _, result, _ = explore(world(folder, {"state_check": False}), os.path.join(folder, "out"), "--depth", "3")
    file = result["violations"][0]["file"]
    for fmt in ("text", "mermaid", "html"):
        status, out, err = oauth_sim("run", file, "--format", fmt)
        assert status == 0 and out, (fmt, err)
    status, out, _ = oauth_sim("run", file, "--step", stdin=b"\n" * 20)
    assert status == 0, out


def test_text_summary_names_property_and_file():
    folder = tempfile.mkdtemp()
    out = os.path.join(folder, "out")
    status, text, _ = oauth_sim("explore", world(folder, {"state_check": False}), "--depth", "3", "--out", out)
    assert status == 1
    assert "session-never-bound-to-attacker" in text and os.path.join(out, "world-session-never-bound-to-attacker.json") in text, text


def test_bad_input_is_trouble():
    folder = tempfile.mkdtemp()
    broken = os.path.join(folder, "broken.json")
    with open(broken, "w") as f:
        f.write('{ "seed": "x" }')
    status, _, err = oauth_sim("explore", broken)
    assert status == 2 and "broken.json" in err, err
    for args in (["--depth", "0"], ["--format", "xml"], ["--seed", "many"], []):
        status, _, err = oauth_sim("explore", *( [CLASSIC] if args else [] ), *args)
        assert status == 2, (args, err)


run([test_csrf_is_found_written_and_replayed, test_code_replay_is_found,
     test_each_defense_off_is_rediscovered, test_all_defenses_on_finds_nothing_and_counts_states, test_the_search_is_deterministic,
     test_counterexample_plays_as_any_lesson, test_text_summary_names_property_and_file,
     test_bad_input_is_trouble])
