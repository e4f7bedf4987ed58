#!/usr/bin/env python3
"""Each step's narration says each fact once: no sentence twice in one step's paragraph, and no
citation (such as "RFC 6749 §6") twice. The sender's and the receiver's sentences meet in one
paragraph, so a fact both of them explain shows up here. Checked for every scenario in scenarios/
and for the demo, in English and in Korean, on their JSON Lines traces."""
import json
import os
import re

from taplib import SCENARIOS, oauth_sim, run

# "RFC 6749 §4.1.2, §10.5" cites two sections; a bare "§4.14.2" belongs to the last RFC named.
CITATION = re.compile(r"RFC\s+(\d+)|§\s*(\d+(?:\.\d+)*)")
# A sentence ends at a full stop, question or exclamation mark followed by a space or the end;
# "e.g." or "§4.1.2" do not end one, since no space follows their inner dots.
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def citations(paragraph):
    """The sections a paragraph cites, in order, as "RFC N §S" (a bare "RFC N" counts too)."""
    cited, rfc, rfc_has_section = [], None, True
    for match in CITATION.finditer(paragraph):
        if match.group(1):
            if rfc is not None and not rfc_has_section:
                cited.append(f"RFC {rfc}")
            rfc, rfc_has_section = match.group(1), False
        elif rfc is not None:
            cited.append(f"RFC {rfc} §{match.group(2)}")
            rfc_has_section = True
    if rfc is not None and not rfc_has_section:
        cited.append(f"RFC {rfc}")
    return cited


def sentences(paragraph):
    return [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]


def repeats(items):
    seen, twice = set(), []
    for item in items:
        if item in seen and item not in twice:
            twice.append(item)
        seen.add(item)
    return twice


def problems(name, trace):
    """What repeats in each step of a JSON Lines trace, as readable lines."""
    found = []
    for line in trace.splitlines():
        record = json.loads(line)
        paragraph = record.get("narration")
        if not paragraph:
            continue
        where = f"{name} step {record.get('step')}"
        for cited in repeats(citations(paragraph)):
            found.append(f"{where} cites {cited} twice: {paragraph}")
        for said in repeats(sentences(paragraph)):
            found.append(f"{where} says “{said}” twice")
    return found


def scenario_files():
    files = []
    for folder, _, names in os.walk(SCENARIOS):
        files += [os.path.join(folder, n) for n in names if n.endswith(".json")]
    return sorted(files)


def check_all(*lang):
    found = []
    status, out, err = oauth_sim("demo", "--format", "jsonl", *lang)
    assert status == 0, err
    found += problems("demo", out)
    files = scenario_files()
    assert len(files) > 10, f"the scenario catalog is in {SCENARIOS}"
    for path in files:
        status, out, err = oauth_sim("run", path, "--format", "jsonl", *lang)
        # 1 is a failed expectation, which the scenarios suite reports; the trace is still whole.
        assert status in (0, 1), f"{path}: {err}"
        assert out, f"{path} printed no trace"
        found += problems(os.path.relpath(path, SCENARIOS), out)
    assert not found, "\n".join(found)


def test_the_checker_sees_repeats():
    # The two kinds of repeat this test exists for, and what is not one.
    said = ("The client sends its refresh token. The owner is not asked again (RFC 6749 §6). "
            "The server issues a new access token without asking the owner again (RFC 6749 §6).")
    assert repeats(citations(said)) == ["RFC 6749 §6"]
    assert citations("(RFC 6749 §4.1.2, §10.5) and RFC 9700 (§4.14.2)") == [
        "RFC 6749 §4.1.2", "RFC 6749 §10.5", "RFC 9700 §4.14.2"]
    assert repeats(citations("RFC 6749 §4.1.3, RFC 7636 §4.6 and RFC 6749 §4.1.2")) == []
    assert repeats(sentences("The browser follows the redirect. The browser follows the redirect.")) \
        == ["The browser follows the redirect."]
    assert problems("sample", json.dumps({"step": 1, "narration": said})) != []
    assert problems("sample", json.dumps({"step": 1, "narration": "One fact (RFC 6749 §6)."})) == []


def test_english_narration_says_each_fact_once():
    check_all()


def test_korean_narration_says_each_fact_once():
    check_all("--lang", "ko")


run([test_the_checker_sees_repeats, test_english_narration_says_each_fact_once,
     test_korean_narration_says_each_fact_once])
