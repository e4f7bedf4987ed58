#!/usr/bin/env python3
"""Same scenario and seed: byte-identical trace. Another seed: every generated value changes."""
import json
import re

from taplib import oauth_sim, run

GENERATED = re.compile(r"\b(?:c|cs|st|rq|ac|at|rt|rs)_[A-Za-z0-9_-]{8,}")


def trace(*extra):
    status, out, err = oauth_sim("demo", "--format", "jsonl", *extra)
    assert status == 0, f"demo exited {status}: {err}"
    return out


def test_same_seed_same_bytes():
    assert trace() == trace()


def test_text_view_is_deterministic_too():
    a = oauth_sim("demo", "--no-color")[1]
    b = oauth_sim("demo", "--no-color")[1]
    assert a == b and len(a) > 1000


def test_other_seed_changes_every_generated_value():
    first, second = trace(), trace("--seed", "7")
    a, b = set(GENERATED.findall(first)), set(GENERATED.findall(second))
    assert len(a) >= 8, a
    assert not (a & b), f"values shared between seeds: {a & b}"
    # Same shape: the same steps, statuses and phases.
    shape = lambda t: [(s["step"], s["phase"], s["status"]) for s in map(json.loads, t.splitlines())]
    assert shape(first) == shape(second)


def test_seed_option_is_checked():
    status, _, err = oauth_sim("demo", "--seed", "banana")
    assert status == 2 and "--seed" in err, err


run([test_same_seed_same_bytes, test_text_view_is_deterministic_too,
     test_other_seed_changes_every_generated_value, test_seed_option_is_checked])
