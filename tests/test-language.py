#!/usr/bin/env python3
"""One language per run: the message catalog and the scenario's own texts (title, captions,
narration) follow one decision, --lang or else the environment in gettext's order (LANGUAGE,
LC_ALL, LC_MESSAGES, LANG), whether or not this machine has the locale the environment names.

ko_XX.UTF-8 is a locale no machine has, so the missing-locale path is tested everywhere;
ko_KR.UTF-8 is missing on most CI machines too (the case that once mixed Korean captions with
English narration and failed the lesson's own Korean expectation)."""
import functools
import json
import os
import re
import subprocess

from taplib import run

OAUTH_SIM = os.environ.get("OAUTH_SIM", "oauth-sim")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KOREAN_CASES = [{"LANG": "ko_KR.UTF-8"}, {"LC_ALL": "ko_KR.UTF-8"}, {"LANGUAGE": "ko"},
                {"LC_MESSAGES": "ko_KR.UTF-8"}, {"LANG": "ko_XX.UTF-8"}, {"LANGUAGE": "fr:ko:en"},
                {"LANG": "en_US.UTF-8", "LANGUAGE": "ko"}]
ENGLISH_CASES = [{"LANG": "C"}, {}, {"LC_ALL": "C", "LANGUAGE": "ko"}, {"LANG": "fr_FR.UTF-8"},
                 {"LANGUAGE": "en:ko"}, {"LANG": "ko_KR.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"},
                 {"LANG": "kok_IN.UTF-8"}]


def oauth_sim(case, *args):
    """Runs oauth-sim with no language or locale variable but those of @case."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANG", "LANGUAGE") and not k.startswith("LC_")}
    env.update(case)
    proc = subprocess.run([OAUTH_SIM, *args], capture_output=True, timeout=20, env=env)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


@functools.lru_cache(maxsize=None)
def reference(language, *args):
    status, out, err = oauth_sim({"LC_ALL": "C.UTF-8"}, "--lang", language, *args)
    assert status == 0, err
    return out


@functools.lru_cache(maxsize=None)
def english_only_lines():
    """The lines of the English text trace that the Korean one does not have: captions,
    narration, the title; not the messages, which are the same in both."""
    korean = set(reference("ko", "demo").splitlines())
    lines = [line for line in reference("en", "demo").splitlines() if line not in korean]
    lines = [line for line in lines if len(re.findall(r"[A-Za-z]{3,}", line)) >= 3]
    assert len(lines) > 50, len(lines)  # the test sees English where there is some
    return lines


def assert_korean(case, text, jsonl):
    leaked = [line for line in english_only_lines() if line in text.splitlines()]
    assert not leaked, (case, leaked[:3])
    steps = [json.loads(line) for line in jsonl.splitlines()]
    assert steps and all(HANGUL.search(s["narration"]) for s in steps), case
    assert HANGUL.search(text.splitlines()[0]), (case, text.splitlines()[0])  # the title


def test_environment_alone_gives_one_language():
    for case in KOREAN_CASES + ENGLISH_CASES:
        korean = case in KOREAN_CASES
        status, text, err = oauth_sim(case, "demo")
        assert status == 0, (case, status, err)
        status, jsonl, err = oauth_sim(case, "demo", "--format", "jsonl")
        assert status == 0, (case, status, err)
        if korean:
            assert_korean(case, text, jsonl)
        else:
            assert not HANGUL.search(text) and not HANGUL.search(jsonl), case
        # the same decision as --lang: byte for byte the trace --lang gives
        assert text == reference("ko" if korean else "en", "demo"), case
        assert jsonl == reference("ko" if korean else "en", "demo", "--format", "jsonl"), case


def test_lang_overrides_the_environment_wholly():
    for case in KOREAN_CASES + ENGLISH_CASES:
        for language in ("en", "ko"):
            status, text, err = oauth_sim(case, "demo", "--lang", language)
            assert status == 0, (case, language, err)
            assert text == reference(language, "demo"), (case, language)


def test_messages_follow_the_same_decision():
    for case in KOREAN_CASES + ENGLISH_CASES:
        status, _, err = oauth_sim(case, "demo", "--no-such-option")
        assert status == 2
        if case in KOREAN_CASES:
            assert HANGUL.search(err) and "Try" not in err, (case, err)
        else:
            assert "Try “oauth-sim help demo” for more." in err and not HANGUL.search(err), (case, err)
        status, out, _ = oauth_sim(case, "help", "demo")
        assert status == 0 and bool(HANGUL.search(out)) == (case in KOREAN_CASES), (case, out)


def test_an_unknown_language_is_refused_in_the_environments_language():
    status, out, err = oauth_sim({"LANG": "ko_KR.UTF-8"}, "demo", "--lang", "fr")
    assert status == 2 and out == "" and "“fr”" in err and HANGUL.search(err), err
    status, out, err = oauth_sim({"LANG": "C"}, "demo", "--lang", "fr")
    assert status == 2 and err == "oauth-sim: unknown language “fr”; oauth-sim speaks en and ko\n", err


run([test_environment_alone_gives_one_language, test_lang_overrides_the_environment_wholly,
     test_messages_follow_the_same_decision,
     test_an_unknown_language_is_refused_in_the_environments_language])
