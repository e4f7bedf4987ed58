#!/usr/bin/env python3
"""A failed expectation, as a student and a CI job meet it: the message names the scenario's
step and the trace step the reader sees (── 6 · code exchange); the JSON Lines trace carries it
as a record of its own, after the lines of the steps it looked at; the text, Mermaid and HTML
views show it and stay whole."""
import contextlib
import copy
import json
import os
import re
import shutil
import tempfile

from taplib import SCENARIOS, oauth_sim, run

CLASSIC = os.path.join(SCENARIOS, "classic.json")
DATA = re.compile(r'<script type="application/json" id="trace-data">(.*?)</script>', re.S)

with open(CLASSIC, encoding="utf-8") as f:
    LESSON = json.load(f)


@contextlib.contextmanager
def lesson_with(change):
    """The path of a copy of the classic lesson changed by @change, in a temporary folder that
    is gone after the with block."""
    data = copy.deepcopy(LESSON)
    change(data["steps"])
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "lesson.json")
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
        yield path
    finally:
        shutil.rmtree(folder)


def token_status_201(steps):
    # Step 3 (consent) ends with the code exchange: its POST /token answers 200.
    token = [e for e in steps[2]["expect"] if e.get("exchange") == "POST /token"][0]
    token["status"] = 201


def client_holds_error(steps):
    steps[3]["expect"].append({"holds": {"client": ["error"]}})


def advance_expects_a_status(steps):
    steps[4]["expect"] = {"status": 200}


def play(path, *args):
    status, out, err = oauth_sim("run", path, *args)
    assert status == 1, f"exit status {status}: {err}"
    return out, err


def records(out):
    return [json.loads(line) for line in out.splitlines()]


def first_failure(out):
    """The first failed-expectation record of a JSON Lines trace."""
    return [r for r in records(out) if "expectation" in r][0]


def test_check_names_the_scenario_step_and_the_trace_step():
    with lesson_with(token_status_201) as path:
        status, out, _ = oauth_sim("check", path)
        text, _ = play(path)
    assert status == 1, out
    diagnostics = [line for line in out.splitlines() if line.startswith("# ")]
    assert len(diagnostics) == 1, out
    assert re.match(r"# .*lesson\.json:\d+:\d+: step 3 \(resource-owner consent\) at trace step 6 "
                    r"\(code exchange, POST /token\): expected status 201, saw 200$", diagnostics[0]), diagnostics
    # The trace step named is the one the reader sees under that number.
    header = text.index("── 6 · code exchange ·")
    assert text[header:].splitlines()[2] == "  POST https://auth.example/token", text[header:header + 300]


def test_jsonl_has_a_record_after_the_steps_it_looked_at():
    with lesson_with(token_status_201) as path:
        out, err = play(path, "--format", "jsonl")
    lines = records(out)
    failed = [i for i, r in enumerate(lines) if r.get("expectation") == "failed"]
    assert len(failed) == 1, failed
    record = lines[failed[0]]
    assert record["file"] == path and record["line"] > 0 and record["column"] > 0, record
    assert (record["scenario_step"], record["actor"], record["action"]) == (3, "resource-owner", "consent")
    assert (record["trace_step"], record["exchange"]) == (6, "POST /token"), record
    assert record["problems"] == ["expected status 201, saw 200"], record
    assert err == f"oauth-sim: {record['message']}\n", (err, record["message"])
    assert record["message"].startswith(f"{path}:{record['line']}:{record['column']}: step 3 "), record
    # Step lines keep their numbers, in order; the record follows the last step of step 3.
    steps = [r for r in lines if "expectation" not in r]
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    assert lines[failed[0] - 1]["step"] == 6 and lines[failed[0] + 1]["step"] == 7
    assert all("step" not in r for r in lines if "expectation" in r), "jq 'select(.step)' finds steps only"


def test_what_is_held_is_checked_after_the_last_trace_step():
    with lesson_with(client_holds_error) as path:
        out, err = play(path, "--format", "jsonl")
    record = first_failure(out)
    assert (record["scenario_step"], record["trace_step"], record["exchange"]) == (4, 8, None), record
    assert ": step 4 (client call-api) after trace step 8: expected the client to hold error" in err, err


def test_a_step_without_exchanges_names_no_trace_step():
    with lesson_with(advance_expects_a_status) as path:
        out, err = play(path, "--format", "jsonl")
    record = first_failure(out)
    assert (record["scenario_step"], record["trace_step"], record["exchange"]) == (5, None, None), record
    assert ": step 5 (clock advance): expected an exchange in this step, there was none\n" in err, err


def test_mermaid_and_html_show_the_failure_and_stay_whole():
    with lesson_with(token_status_201) as path:
        jsonl, _ = play(path, "--format", "jsonl")
        diagram, _ = play(path, "--format", "mermaid")
        html, _ = play(path, "--format", "html")
    message = first_failure(jsonl)["message"]
    notes = [line.replace("<br/>", " ") for line in diagram.splitlines() if "✗" in line]
    assert len(notes) == 1 and notes[0].endswith(f"Note over Owner,API: ✗ {message}"), notes
    data = json.loads(DATA.search(html).group(1))
    # The page's steps are the JSON Lines steps; the failure is a remark between them.
    assert data["steps"] == [r for r in records(jsonl) if "expectation" not in r]
    fails = [r for r in data["remarks"] if r["kind"] == "check-fail"]
    assert [r["text"] for r in fails] == [message], fails


def test_korean_names_the_steps_in_korean():
    with lesson_with(token_status_201) as path:
        out, err = play(path, "--format", "jsonl", "--lang", "ko")
    record = first_failure(out)
    assert "3단계(resource-owner consent), 트레이스 6단계(코드 교환, POST /token): " in record["message"], record
    [problem] = record["problems"]
    assert "201" in problem and "200" in problem and "expected" not in problem, record
    assert any("\uac00" <= c <= "\ud7a3" for c in problem), record


run([test_check_names_the_scenario_step_and_the_trace_step,
     test_jsonl_has_a_record_after_the_steps_it_looked_at,
     test_what_is_held_is_checked_after_the_last_trace_step,
     test_a_step_without_exchanges_names_no_trace_step,
     test_mermaid_and_html_show_the_failure_and_stay_whole,
     test_korean_names_the_steps_in_korean])
