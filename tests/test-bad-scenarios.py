#!/usr/bin/env python3
"""Broken scenario files: each is refused with exit status 2 and one exact line on stderr.

tests/bad-scenarios/NAME.json holds a broken file and NAME.expected the one line it must
produce, with paths relative to the source root (the tests run from there). Files that are
binary, huge or not files at all (NUL bytes, invalid UTF-8, megabytes, deep nesting, a folder,
a missing path) are made here, in a temporary folder. Every case is also run through
`oauth-sim check`, which must report it as "not ok" and exit 2.

The subprocess timeout catches a hang; durations are not measured."""
import glob
import json
import os
import re
import tempfile

from taplib import SCENARIOS, oauth_sim, run

ROOT = os.path.dirname(os.path.abspath(SCENARIOS))
CASES = os.path.join("tests", "bad-scenarios")
TIMEOUT = 30  # seconds for one run: a hang, where a second is slow (3 s: ASan, busy cores)
# A critical or a warning aborts, so that it cannot hide behind the expected line.
ENV = {"G_DEBUG": "fatal-warnings"}
REGISTER = '{"actor": "client", "action": "register"}'


def refused(path, expected):
    """`run PATH`: exit 2, nothing on stdout, exactly the expected line on stderr."""
    status, out, err = oauth_sim("run", path, timeout=TIMEOUT, env=ENV)
    assert err == expected, f"stderr:\n{err!r}\nexpected:\n{expected!r}"
    assert status == 2, f"exit status {status}"
    assert out == "", f"stdout: {out[:200]!r}"


def failed_check(path, expected, reported=None):
    """`check PATH`: exit 2, the file is "not ok" and the reason is the expected line."""
    status, out, err = oauth_sim("check", path, timeout=TIMEOUT, env=ENV)
    assert status == 2, f"exit status {status}\n{out}{err}"
    assert f"not ok 1 - {reported or path}\n" in out, out
    assert f"\n# {expected}\n" in out, f"{out}\nexpected the diagnostic:\n# {expected}"
    assert err == "", f"stderr: {err!r}"


def committed_cases():
    return sorted(os.path.basename(p)[:-len(".json")] for p in glob.glob(os.path.join(CASES, "*.json")))


def make_committed_test(name, verb):
    path = os.path.join(CASES, name + ".json")

    def test():
        with open(os.path.join(CASES, name + ".expected"), encoding="utf-8") as f:
            expected = f.read()
        if verb == "run":
            refused(path, expected)
        else:
            failed_check(path, expected.rstrip("\n"))
    test.__name__ = f"{verb}_{name}"
    return test


def test_every_case_has_one_expected_line_with_a_position():
    names = committed_cases()
    assert len(names) >= 32, len(names)
    expected = sorted(os.path.basename(p)[:-len(".expected")]
                      for p in glob.glob(os.path.join(CASES, "*.expected")))
    assert expected == names, set(expected) ^ set(names)
    for name in names:
        with open(os.path.join(CASES, name + ".expected"), encoding="utf-8") as f:
            text = f.read()
        assert text.endswith("\n") and text.count("\n") == 1, f"{name}: {text!r}"
        head = f"oauth-sim: {CASES}/{name}.json:"
        assert text.startswith(head), f"{name}: {text!r}"
        line, column, rest = text[len(head):].split(":", 2)
        assert line.isdigit() and column.isdigit() and int(line) > 0 and int(column) > 0, text
        assert rest.startswith(" ") and len(rest) > 2, text


# Cases made here: each function writes its file at PATH and returns what the expected line
# says after "oauth-sim: PATH".

def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def make_nul_byte(path):
    write(path, b'{\n  "title": "A NUL\0 byte",\n  "steps": [' + REGISTER.encode() + b']\n}\n')
    return ":2:18: the file contains a NUL byte; expected UTF-8 text"


def make_latin1(path):
    write(path, ('{\n  "title": "Café in Latin-1",\n  "steps": [%s]\n}\n' % REGISTER)
          .encode("latin-1"))
    return ":2:16: the file is not valid UTF-8 here; save it as UTF-8"


def make_cut_character(path):
    # The file ends in the middle of a three-byte character.
    write(path, '{\n  "title": "A file cut short €'.encode()[:-1])
    return ":2:30: the file is not valid UTF-8 here; save it as UTF-8"


def make_utf16(path):
    # As Windows tools save it: a byte-order mark, then two bytes a character, low byte first.
    write(path, ('\ufeff{\n  "title": "Saved as UTF-16",\n  "steps": [%s]\n}\n' % REGISTER)
          .encode("utf-16-le"))
    return ":1:4: the file contains a NUL byte; expected UTF-8 text"


def make_huge_string(path):
    # About 2 MB: a description far beyond what any lesson says.
    text = '{"title": "A huge description", "description": "%s", "steps": [%s]}' % (
        "x" * 2_000_000, REGISTER)
    write(path, text.encode())
    return ": the file is larger than 1048576 bytes; a scenario is much smaller"


def make_huge_file(path):
    # About 1.5 MB of valid steps.
    steps = ",\n    ".join([REGISTER] * 31_000)
    write(path, ('{\n  "title": "Too many steps",\n  "steps": [\n    %s\n  ]\n}\n' % steps).encode())
    assert 1_400_000 < os.path.getsize(path) < 1_600_000, os.path.getsize(path)
    return ": the file is larger than 1048576 bytes; a scenario is much smaller"


def make_huge_string_as_number(path):
    # Just under the size limit, on one line, in three-byte characters: the position of
    # "seed" counts characters, not bytes.
    head = '{"title": "A huge seed", "description": "%s", ' % ("€" * 150_000)
    text = head + '"seed": "%s", "steps": [%s]}' % ("€" * 150_000, REGISTER)
    write(path, text.encode())
    assert os.path.getsize(path) < 1024 * 1024
    return f":1:{len(head) + 1}: 'seed' must be a whole number, not a string"


def make_deep_arrays(path):
    head = '{"title": "Deep", "steps": '
    write(path, (head + "[" * 10_000 + "]" * 10_000 + "}").encode())
    # The root object is level 1: the 32nd bracket opens level 33.
    return f":1:{len(head) + 32}: nesting deeper than 32 levels; a scenario never needs that much"


def make_deep_objects(path):
    head = '{"title": "Deep", "steps": ['
    write(path, (head + '{"a":' * 10_000 + "1" + "}" * 10_000 + "]}").encode())
    # The root object and the steps array are levels 1 and 2: the 31st object opens level 33.
    return (f":1:{len(head) + 30 * 5 + 1}: nesting deeper than 32 levels; "
            "a scenario never needs that much")


def make_many_steps(path):
    # Half a million elements: recording every position must stay linear in the file's size.
    write(path, ('{\n  "title": "Many numbers",\n  "steps": [%s]\n}\n'
                 % ",".join(["1"] * 500_000)).encode())
    assert os.path.getsize(path) < 1024 * 1024
    return ":3:13: each step must be an object with 'actor' and 'action'"


def make_long_line_syntax_error(path):
    # A missing comma after 400 000 two-byte characters: json-glib counts bytes and cuts the
    # token it quotes in the middle of a character.
    head = '{"title": "A long line", "description": "'
    write(path, (head + "é" * 400_000 + '" "steps": []}').encode())
    return (f":1:{len(head) + 400_001}: unexpected string constant "
            f"\"{'é' * 18}\ufffd\", expected character `,'")


GENERATED = [make_nul_byte, make_latin1, make_cut_character, make_utf16, make_huge_string,
             make_huge_file, make_huge_string_as_number, make_deep_arrays, make_deep_objects,
             make_many_steps, make_long_line_syntax_error]


def make_generated_test(make, verb):
    def test():
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, make.__name__.removeprefix("make_").replace("_", "-") + ".json")
            expected = f"oauth-sim: {path}{make(path)}"
            if verb == "run":
                refused(path, expected + "\n")
            else:
                failed_check(path, expected)
    test.__name__ = f"{verb}_{make.__name__.removeprefix('make_')}"
    return test


def test_run_a_folder():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "lesson.json")
        os.mkdir(path)
        refused(path, f"oauth-sim: {path}: is a folder, not a scenario file\n")


def test_check_a_folder_checks_the_broken_file_inside():
    with tempfile.TemporaryDirectory() as folder:
        inner = os.path.join(folder, "lessons", "empty.json")
        os.mkdir(os.path.dirname(inner))
        write(inner, b"")
        failed_check(os.path.dirname(inner),
                     f"oauth-sim: {inner}:1:1: the file is empty; expected a JSON object", inner)


def test_run_a_missing_path():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "no-such-lesson.json")
        refused(path, f"oauth-sim: {path}: no such file\n")


def test_check_a_missing_path():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "no-such-lesson.json")
        failed_check(path, f"oauth-sim: {path}: no such file")


def documented_header_names():
    """The header names docs/scenario-format.md says `set` and `remove` refuse."""
    with open(os.path.join(ROOT, "docs", "scenario-format.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("The header names it knows, in any case:")
    names = re.findall(r"`([A-Za-z-]+)`", text[start:text.index("No OAuth parameter", start)])
    assert "Authorization" in names and "DPoP" in names and len(names) > 20, names
    return names


def test_every_documented_header_name_is_refused_in_set_and_remove():
    # One `check` of a folder: a file per name and member, the names in lower case.
    names = documented_header_names()
    with tempfile.TemporaryDirectory() as folder:
        for number, name in enumerate(names):
            for member, value, instead in [("set", {name.lower(): "x"}, "set_header"),
                                           ("remove", [name.lower()], "remove_header")]:
                scenario = {"title": name, "steps": [
                    {"actor": "client", "action": "register",
                     "tamper": {"exchange": "POST /register", member: value}}]}
                with open(os.path.join(folder, f"{number:02}-{member}.json"), "w") as f:
                    json.dump(scenario, f)
        status, out, err = oauth_sim("check", folder, timeout=TIMEOUT, env=ENV)
    assert status == 2 and err == "", (status, err)
    for name in names:
        for member, instead in [("set", "set_header"), ("remove", "remove_header")]:
            message = (f": '{name.lower()}' is an HTTP header, but '{member}' acts on parameters "
                       f"(the query, the form body or JSON members); did you mean \"{instead}\"?\n")
            assert message in out, f"{name} in {member}:\n{out[:2000]}"
    assert out.splitlines()[-1] == f"0 passed, {2 * len(names)} failed", out.splitlines()[-1]


def test_parameters_named_like_no_header_are_set():
    # The names of the lessons' own tampering pass: scope, client_secret, code_verifier.
    scenario = {"title": "Parameters", "steps": [
        {"actor": "client", "action": "register",
         "tamper": {"exchange": "POST /register", "set": {"scope": "calendar.read"},
                    "remove": ["client_name"]},
         "expect": {"status": 201}}]}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "parameters.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        status, out, err = oauth_sim("check", path, timeout=TIMEOUT, env=ENV)
    assert status == 0, out + err


os.chdir(ROOT)
tests = [test_every_case_has_one_expected_line_with_a_position]
for case in committed_cases():
    tests += [make_committed_test(case, "run"), make_committed_test(case, "check")]
for make in GENERATED:
    tests += [make_generated_test(make, "run"), make_generated_test(make, "check")]
tests += [test_every_documented_header_name_is_refused_in_set_and_remove,
          test_parameters_named_like_no_header_are_set]
tests += [test_run_a_folder, test_check_a_folder_checks_the_broken_file_inside,
          test_run_a_missing_path, test_check_a_missing_path]
run(tests)
