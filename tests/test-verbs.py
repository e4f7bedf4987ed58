#!/usr/bin/env python3
"""What every verb has in common: it takes --no-color and --lang, lists both in its help, names
itself once in its usage line, and a usage error points at its own help."""
import atexit
import os
import re
import shutil
import tempfile

from taplib import SCENARIOS, oauth_sim, run

CLASSIC = os.path.join(SCENARIOS, "classic.json")
VERBS = ["demo", "run", "check", "list", "serve", "attacks", "explore", "bench", "help"]
EXPLORE_OUT = tempfile.mkdtemp(prefix="oauth-sim-verbs-")
atexit.register(shutil.rmtree, EXPLORE_OUT, ignore_errors=True)

# Each verb with --no-color and the least it needs to do its work; serve is given a port it
# refuses after parsing its options, so that it stops at once.
WITH_NO_COLOR = {
    "demo": (["demo", "--no-color"], 0),
    "run": (["run", "--no-color", CLASSIC], 0),
    "check": (["check", "--no-color", CLASSIC], 0),
    "list": (["list", "--no-color"], 0),
    "serve": (["serve", "--no-color", "--port", "70000"], 2),
    "attacks": (["attacks", "--no-color"], 0),
    "explore": (["explore", "--no-color", "--depth", "2", "--out", EXPLORE_OUT, CLASSIC], 0),
    "bench": (["bench", "--no-color", "--flows", "2"], 0),
    "help": (["help", "--no-color", "demo"], 0),
}


def test_every_verb_has_a_no_color_case():
    assert sorted(WITH_NO_COLOR) == sorted(VERBS)
    status, out, _ = oauth_sim("--help")
    listed = re.findall(r"^  (\w+) ", out.split("Verbs:")[1], re.M)
    assert sorted(listed) == sorted(VERBS), listed


def test_every_verb_takes_no_color():
    for verb, (args, expected) in WITH_NO_COLOR.items():
        status, out, err = oauth_sim(*args, timeout=60)
        assert "Unknown option" not in err, (verb, err)
        assert status == expected, (verb, status, err)
        if verb == "serve":
            assert "--port takes" in err, err
        else:
            assert out and "\x1b[" not in out, (verb, out[:200])


def test_no_color_takes_no_value_and_unknown_options_are_still_refused():
    for verb in VERBS:
        status, _, err = oauth_sim(verb, "--no-colour")
        assert status == 2 and "Unknown option --no-colour" in err, (verb, err)


def test_every_verbs_help_lists_lang_and_no_color():
    for verb in VERBS:
        status, out, err = oauth_sim(verb, "--help")
        assert status == 0, (verb, err)
        assert re.search(r"^  --no-color ", out, re.M), (verb, out)
        assert re.search(r"^  --lang=LANG ", out, re.M), (verb, out)
        korean = oauth_sim(verb, "--help", "--lang", "ko")[1]
        assert "--lang=LANG" in korean and "--no-color" in korean and "메시지와 해설의 언어" in korean, (verb, korean)


def test_usage_line_names_the_verb_once():
    for verb in VERBS:
        out = oauth_sim(verb, "--help")[1]
        lines = out.splitlines()
        assert lines[0] == "Usage:", (verb, lines[:2])
        usage = lines[1].strip()
        assert usage.startswith(f"oauth-sim {verb} [OPTION…]"), (verb, usage)
        assert usage.split().count(verb) == 1 and usage.count("[OPTION…]") == 1, (verb, usage)


def test_help_verb_shows_the_same_as_verb_help():
    for verb in VERBS:
        if verb != "help":
            assert oauth_sim("help", verb) == oauth_sim(verb, "--help"), verb


def test_usage_errors_point_at_the_verb_used():
    for verb in VERBS:
        status, _, err = oauth_sim(verb, "--bogus")
        assert status == 2 and f"Try “oauth-sim help {verb}” for more." in err, (verb, err)
    # demo shares run's trace options: its errors still name demo
    for args in (["--format", "svg"], ["--until", "lunch"], ["--seed", "-1"], ["extra"]):
        status, _, err = oauth_sim("demo", *args)
        assert status == 2 and "oauth-sim help demo" in err and "help run" not in err, (args, err)
        status, _, err = oauth_sim("run", CLASSIC, *args) if args != ["extra"] else oauth_sim("run")
        assert status == 2 and "oauth-sim help run" in err, (args, err)


def test_help_takes_one_verb():
    status, _, err = oauth_sim("help", "run", "demo")
    assert status == 2 and "help takes one VERB" in err
    status, _, err = oauth_sim("help", "frobnicate")
    assert status == 2 and "unknown verb" in err


run([test_every_verb_has_a_no_color_case, test_every_verb_takes_no_color,
     test_no_color_takes_no_value_and_unknown_options_are_still_refused,
     test_every_verbs_help_lists_lang_and_no_color, test_usage_line_names_the_verb_once,
     test_help_verb_shows_the_same_as_verb_help, test_usage_errors_point_at_the_verb_used,
     test_help_takes_one_verb])
