#!/usr/bin/env python3
"""Golden traces of the classic lesson: JSON Lines in English and in Korean, and the text view.
When a change to the narration or the flow is deliberate, regenerate them:

    build/oauth-sim demo --format jsonl > tests/golden/classic.jsonl
    build/oauth-sim demo --format jsonl --lang ko > tests/golden/classic.ko.jsonl
    build/oauth-sim demo --no-color > tests/golden/classic.txt

and read the diff as a student would before committing it."""
import os

from taplib import SRCDIR, oauth_sim, run

GOLDEN = os.path.join(SRCDIR, "golden")


def compare(name, *args):
    status, out, err = oauth_sim("demo", *args)
    assert status == 0, err
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
        expected = f.read()
    if out == expected:
        return
    want, got = expected.splitlines(), out.splitlines()
    for number in range(max(len(want), len(got))):
        a = want[number] if number < len(want) else "(end of file)"
        b = got[number] if number < len(got) else "(end of file)"
        if a != b:
            raise AssertionError(f"tests/golden/{name} line {number + 1} differs:\n"
                                 f"expected: {a}\nactual:   {b}")


def test_jsonl_english():
    compare("classic.jsonl", "--format", "jsonl")


def test_jsonl_korean():
    compare("classic.ko.jsonl", "--format", "jsonl", "--lang", "ko")


def test_text_view():
    compare("classic.txt", "--no-color")


def test_korean_trace_is_korean():
    with open(os.path.join(GOLDEN, "classic.ko.jsonl"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    hangul = lambda s: any("\uac00" <= c <= "\ud7a3" for c in s)
    assert all(hangul(line) for line in lines), "every step's narration is in Korean"


run([test_jsonl_english, test_jsonl_korean, test_text_view, test_korean_trace_is_korean])
