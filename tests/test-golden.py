#!/usr/bin/env python3
"""Golden traces of the classic lesson and of the OpenID Connect sign-in: JSON Lines in English
and in Korean, and the text view. When a change to the narration or the flow is deliberate,
regenerate them:

    build/oauth-sim demo --format jsonl > tests/golden/classic.jsonl
    build/oauth-sim demo --format jsonl --lang ko > tests/golden/classic.ko.jsonl
    build/oauth-sim demo --no-color > tests/golden/classic.txt
    build/oauth-sim run scenarios/oidc/sign-in.json --format jsonl > tests/golden/oidc-sign-in.jsonl
    build/oauth-sim run scenarios/oidc/sign-in.json --format jsonl --lang ko > tests/golden/oidc-sign-in.ko.jsonl
    build/oauth-sim run scenarios/oidc/sign-in.json --no-color > tests/golden/oidc-sign-in.txt

and read the diff as a student would before committing it."""
import os

from taplib import SCENARIOS, SRCDIR, oauth_sim, run

GOLDEN = os.path.join(SRCDIR, "golden")
SIGN_IN = os.path.join(SCENARIOS, "oidc", "sign-in.json")


def compare(name, *args, verb=("demo",)):
    status, out, err = oauth_sim(*verb, *args)
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


def test_oidc_jsonl_english():
    compare("oidc-sign-in.jsonl", "--format", "jsonl", verb=("run", SIGN_IN))


def test_oidc_jsonl_korean():
    compare("oidc-sign-in.ko.jsonl", "--format", "jsonl", "--lang", "ko", verb=("run", SIGN_IN))


def test_oidc_text_view():
    compare("oidc-sign-in.txt", "--no-color", verb=("run", SIGN_IN))


def test_korean_trace_is_korean():
    with open(os.path.join(GOLDEN, "classic.ko.jsonl"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    hangul = lambda s: any("\uac00" <= c <= "\ud7a3" for c in s)
    assert all(hangul(line) for line in lines), "every step's narration is in Korean"


run([test_jsonl_english, test_jsonl_korean, test_text_view, test_oidc_jsonl_english,
     test_oidc_jsonl_korean, test_oidc_text_view, test_korean_trace_is_korean])
