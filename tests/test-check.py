#!/usr/bin/env python3
"""oauth-sim check and list: scenario files as regression tests, in TAP, with golden traces."""
import base64
import json
import os
import shutil
import tempfile

from taplib import SCENARIOS, oauth_sim, run

CLASSIC = os.path.join(SCENARIOS, "classic.json")
PASSING = {"title": "Registration works", "steps": [
    {"actor": "client", "action": "register", "expect": {"status": 201}}]}
FAILING = {"title": "Registration is expected to fail", "steps": [
    {"actor": "client", "action": "register", "expect": {"status": 400, "error": "invalid_client_metadata"}}]}


def folder(files):
    path = tempfile.mkdtemp()
    for name, content in files.items():
        full = os.path.join(path, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


def test_all_pass_exit_0_with_plan_and_summary():
    path = folder({"a.json": PASSING, "sub/b.json": PASSING})
    try:
        status, out, _ = oauth_sim("check", path)
    finally:
        shutil.rmtree(path)
    lines = out.splitlines()
    assert status == 0, out
    assert lines[0] == "1..2"
    assert lines[1].startswith("ok 1 - ") and lines[1].endswith("a.json: Registration works")
    assert lines[2].startswith("ok 2 - ") and "sub/b.json" in lines[2]
    assert lines[-1] == "2 passed, 0 failed"


def test_failed_expectation_exit_1_says_where_and_what():
    path = folder({"a.json": PASSING, "b.json": FAILING})
    try:
        status, out, _ = oauth_sim("check", path)
    finally:
        shutil.rmtree(path)
    assert status == 1, out
    assert "not ok 2 - " in out
    diagnostic = [l for l in out.splitlines() if l.startswith("# ")][0]
    assert "b.json:7:17: " in diagnostic, diagnostic        # where the expectation opens
    assert "step 1 (client register)" in diagnostic
    assert "expected status 400, saw 201" in diagnostic
    assert "expected error invalid_client_metadata, saw no error" in diagnostic
    assert out.splitlines()[-1] == "1 passed, 1 failed"


def test_bad_file_exit_2_even_with_failures():
    path = folder({"a.json": FAILING, "b.json": "{ not json"})
    try:
        status, out, _ = oauth_sim("check", path)
    finally:
        shutil.rmtree(path)
    assert status == 2, out
    assert "# oauth-sim: " in out and "b.json:1:" in out


def test_golden_trace_matches_then_shows_first_difference():
    path = folder({"lesson.json": PASSING})
    lesson = os.path.join(path, "lesson.json")
    golden = os.path.join(path, "lesson.golden.jsonl")
    try:
        status, out, _ = oauth_sim("check", "--update-golden", lesson)
        assert status == 0 and os.path.exists(golden), out
        assert oauth_sim("check", lesson)[0] == 0
        with open(golden, encoding="utf-8") as f:
            text = f.read()
        with open(golden, "w", encoding="utf-8") as f:
            f.write(text.replace('"status":201', '"status":200'))
        status, out, _ = oauth_sim("check", lesson)
        assert status == 1, out
        # The record, the path of the field and the two values, not two whole lines.
        assert ("differs from the golden trace: line 1 (trace step 1) differs at $.status\n"
                "#   expected: 200\n#   actual:   201\n") in out, out
        # A header: a name that is no identifier is quoted; a member one side lacks is missing.
        record = json.loads(text.splitlines()[0])
        record["response"]["headers"]["Cache-Control"] = "no-cache"
        record["response"]["headers"]["X-Golden"] = "only here"
        with open(golden, "w", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        status, out, _ = oauth_sim("check", lesson)
        assert status == 1, out
        assert ('differs at $.response.headers["Cache-Control"]\n'
                '#   expected: "no-cache"\n#   actual:   "no-store"\n') in out, out
        del record["response"]["headers"]["Cache-Control"], record["response"]["headers"]["X-Golden"]
        with open(golden, "w", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        out = oauth_sim("check", lesson)[1]
        assert ('differs at $.response.headers["Cache-Control"]\n'
                '#   expected: (missing)\n#   actual:   "no-store"\n') in out, out
        assert len(max(out.splitlines(), key=len)) < 300, out
    finally:
        shutil.rmtree(path)


def test_golden_files_are_not_scenarios():
    path = folder({"lesson.json": PASSING, "lesson.golden.jsonl": "x\n"})
    try:
        status, out, _ = oauth_sim("list", path)
    finally:
        shutil.rmtree(path)
    assert status == 0 and out.count("\n") == 1 and "Registration works" in out


def test_list_without_path_lists_the_catalog():
    status, out, _ = oauth_sim("list")
    assert status == 0
    assert out.startswith("classic ") and "The classic lesson" in out
    names = [line.split()[0] for line in out.splitlines()]
    assert "attacks/csrf-off" in names and "consent/access-denied" in names, names


def test_a_copy_of_classic_with_a_wrong_client_secret_gets_invalid_client():
    # The README's "a tampered client_secret": one field in the copy's "client".
    with open(CLASSIC, encoding="utf-8") as f:
        lesson = json.load(f)
    lesson["client"]["client_secret"] = "cs_mistyped"
    path = folder({"lesson.json": lesson})
    try:
        status, out, _ = oauth_sim("run", os.path.join(path, "lesson.json"), "--format", "jsonl")
    finally:
        shutil.rmtree(path)
    assert status == 1, out                                 # the classic lesson expects tokens
    records = [json.loads(line) for line in out.splitlines()]
    token = [r for r in records if r.get("url") == "https://auth.example/token"][0]
    basic = token["request"]["headers"]["Authorization"].split()[1]
    assert base64.b64decode(basic).decode().endswith(":cs_mistyped"), basic
    assert token["status"] == 401 and token["response"]["body"]["error"] == "invalid_client"
    assert token["response"]["headers"]["WWW-Authenticate"].startswith("Basic "), token["response"]
    registered = records[0]["response"]["body"]["client_secret"]
    assert registered != "cs_mistyped" and registered not in json.dumps(token["request"])


def test_check_needs_a_path():
    status, _, err = oauth_sim("check")
    assert status == 2 and "check needs" in err


run([test_all_pass_exit_0_with_plan_and_summary, test_failed_expectation_exit_1_says_where_and_what,
     test_bad_file_exit_2_even_with_failures, test_golden_trace_matches_then_shows_first_difference,
     test_golden_files_are_not_scenarios, test_list_without_path_lists_the_catalog,
     test_a_copy_of_classic_with_a_wrong_client_secret_gets_invalid_client, test_check_needs_a_path])
