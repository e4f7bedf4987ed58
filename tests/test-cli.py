#!/usr/bin/env python3
"""The oauth-sim program as a newcomer uses it: help, demo, run, the JSON Lines trace."""
import json
import os
import tempfile

from taplib import SCENARIOS, oauth_sim, run

CLASSIC = os.path.join(SCENARIOS, "classic.json")
PHASES = ["registration", "consent", "code-exchange", "access", "refresh"]


def test_help_lists_verbs():
    status, out, _ = oauth_sim("--help")
    assert status == 0
    for verb in ("demo", "run", "check", "list", "help"):
        assert verb in out


def test_help_verb_and_verb_help_agree():
    a = oauth_sim("help", "run")
    b = oauth_sim("run", "--help")
    assert a[0] == b[0] == 0
    assert a[1] == b[1] and "--seed" in a[1] and "--format" in a[1]


def test_unknown_verb_is_trouble():
    status, _, err = oauth_sim("frobnicate")
    assert status == 2 and "unknown verb" in err


def test_demo_plays_five_phases_in_order():
    status, out, err = oauth_sim("demo", "--format", "jsonl")
    assert status == 0, err
    steps = [json.loads(line) for line in out.splitlines()]
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    seen = []
    for s in steps:
        if s["phase"] not in seen:
            seen.append(s["phase"])
    assert seen == PHASES, seen
    for s in steps:
        for field in ("step", "phase", "from", "to", "method", "url", "status", "narration"):
            assert field in s, field
        assert s["narration"], s["step"]


def test_demo_works_from_any_folder():
    with tempfile.TemporaryDirectory() as folder:
        here = os.getcwd()
        os.chdir(folder)
        try:
            status, out, _ = oauth_sim("demo")
        finally:
            os.chdir(here)
    assert status == 0 and "registration" in out


def test_run_file_equals_demo():
    assert oauth_sim("run", CLASSIC, "--format", "jsonl")[1] == oauth_sim("demo", "--format", "jsonl")[1]


def test_text_fits_80_columns_and_has_no_colour_when_piped():
    status, out, _ = oauth_sim("demo")
    assert status == 0
    assert "\033[" not in out
    too_wide = [line for line in out.splitlines() if len(line) > 80]
    assert not too_wide, too_wide[:3]


def test_knowledge_in_every_step_and_in_text_on_request():
    status, out, _ = oauth_sim("demo", "--format", "jsonl")
    steps = [json.loads(line) for line in out.splitlines()]
    assert all(list(s["knowledge"]) == ["resource-owner", "client", "auth-server", "api"] for s in steps)
    assert all("password" not in s["knowledge"]["client"] for s in steps)
    assert "password" in steps[3]["knowledge"]["auth-server"]   # step 4: the login form
    assert "password" not in steps[2]["knowledge"]["auth-server"]
    plain = oauth_sim("demo")[1]
    shown = oauth_sim("demo", "--show-knowledge")[1]
    assert "Who knows what" not in plain and shown.count("Who knows what") == len(steps)


LEGEND = "Who knows what (secrets held from the start, made, or seen in a message):"


def knowledge_blocks(text):
    """The --show-knowledge blocks of a text trace, in order: actor -> kinds."""
    blocks, block, actor = [], None, None
    for line in text.splitlines():
        if line.strip() == LEGEND:
            block = {}
            blocks.append(block)
        elif block is not None and line.startswith("    ") and line.strip():
            if line[4] != " ":
                actor, _, kinds = line[4:].partition("  ")
                block[actor] = kinds.strip()
            else:
                block[actor] += " " + line.strip()
        else:
            block = None
    return [{a: [k for k in kinds.split(", ") if k != "—"] for a, kinds in b.items()} for b in blocks]


def test_knowledge_shows_what_is_held_and_the_views_agree():
    steps = [json.loads(line) for line in oauth_sim("demo", "--format", "jsonl")[1].splitlines()]
    first, connect = steps[0]["knowledge"], steps[1]["knowledge"]
    # provisioned before any message: the server keeps a hash of the password, never the password
    assert "password_hash" in first["auth-server"] and "api_secret" in first["auth-server"], first
    assert "password" not in first["auth-server"] and first["api"] == ["api_secret"], first
    assert all("password_hash" not in s["knowledge"][a] for s in steps for a in s["knowledge"] if a != "auth-server")
    # made at step 2 and kept to itself until the code exchange
    assert steps[1]["url"] == "https://client.example/connect"
    assert "code_verifier" not in first["client"] and "code_verifier" in connect["client"], connect
    exchange = next(s for s in steps if isinstance(s["request"]["body"], dict) and "code_verifier" in s["request"]["body"])
    # (the callback that causes the exchange ends after it, with what it taught)
    before = exchange["parent"] or exchange["step"]
    assert all("code_verifier" not in s["knowledge"]["auth-server"] for s in steps if s["step"] < before)
    assert "code_verifier" in exchange["knowledge"]["auth-server"]
    assert all("code_verifier" not in s["knowledge"]["resource-owner"] for s in steps)
    # the text view shows the same, step by step, under a legend that says what it counts
    status, shown, _ = oauth_sim("demo", "--show-knowledge", "--no-color")
    assert status == 0 and knowledge_blocks(shown) == [s["knowledge"] for s in steps]
    korean = oauth_sim("demo", "--show-knowledge", "--no-color", "--lang", "ko")[1]
    assert korean.count("처음부터 가진 것, 만든 것, 메시지에서 본 것") == len(steps), korean[:2000]
    page = oauth_sim("demo", "--format", "html")[1]
    assert "given at the start, made itself, or seen in a message" in page


def test_run_missing_file():
    status, _, err = oauth_sim("run", "/nonexistent/lesson.json")
    assert status == 2 and err.startswith("oauth-sim: /nonexistent/lesson.json: "), err


def test_run_malformed_file_says_where():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write('{\n  "title": "x",\n  "steps": [\n    {"actor": "client" "action": "register"}\n  ]\n}\n')
    try:
        status, out, err = oauth_sim("run", f.name)
    finally:
        os.unlink(f.name)
    assert status == 2, status
    assert err.startswith(f"oauth-sim: {f.name}:4:"), err
    assert out == ""


def test_failed_expectation_exits_1():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"title": "t", "steps": [
            {"actor": "client", "action": "register", "expect": {"status": 200}}]}, f)
    try:
        status, _, err = oauth_sim("run", f.name)
    finally:
        os.unlink(f.name)
    assert status == 1, status
    assert "expected status 200, saw 201" in err, err


run([test_help_lists_verbs, test_help_verb_and_verb_help_agree, test_unknown_verb_is_trouble,
     test_demo_plays_five_phases_in_order, test_demo_works_from_any_folder, test_run_file_equals_demo,
     test_text_fits_80_columns_and_has_no_colour_when_piped,
     test_knowledge_in_every_step_and_in_text_on_request,
     test_knowledge_shows_what_is_held_and_the_views_agree, test_run_missing_file,
     test_run_malformed_file_says_where, test_failed_expectation_exits_1])
