#!/usr/bin/env python3
"""--format mermaid, read as text: the participants, two arrows per step in the order they
happen, a box per phase, errors drawn differently, and nothing Mermaid would misread."""
import json
import os
import re

from taplib import SCENARIOS, SRCDIR, oauth_sim, run

ARROW = re.compile(r"^\s*(\w+)(->>|-->>|--x|-x)([+-]?)(\w+): (\d+) · (.*)$")
PHASES = ["registration", "consent", "code exchange", "access", "refresh"]

# Goes wrong three ways (a refused token request, a dropped API call, a host nobody answers);
# its title, note and URL carry what Mermaid cannot take as is.
ERRORS = os.path.join(SRCDIR, "what-goes-wrong.json")
# No owner, no browser: the client credentials grant (RFC 6749 §4.4).
MACHINE = os.path.join(SCENARIOS, "client-credentials", "backup-service.json")


def play(*args):
    status, out, err = oauth_sim(*args)
    assert status == 0, err
    return out


def arrows(diagram):
    return [m for m in (ARROW.match(line) for line in diagram.splitlines()) if m]


def steps_of(jsonl):
    return [json.loads(line) for line in jsonl.splitlines()]


def test_participants_in_order_with_readable_labels():
    lines = play("demo", "--format", "mermaid").splitlines()
    assert lines[0] == "sequenceDiagram", lines[0]
    participants = [line.split()[1:] for line in lines if line.strip().startswith("participant ")]
    assert [p[0] for p in participants] == ["Owner", "Client", "Server", "API"], participants
    assert " ".join(participants[0][2:]) == "Alice (resource owner)", participants[0]
    assert all(p[1] == "as" and len(p) > 2 for p in participants)


def test_two_arrows_per_step_with_the_trace_numbers():
    diagram = play("demo", "--format", "mermaid")
    steps = steps_of(play("demo", "--format", "jsonl"))
    found = arrows(diagram)
    assert len(found) == 2 * len(steps), (len(found), len(steps))
    requests = [m for m in found if m.group(2) == "->>"]
    assert [int(m.group(5)) for m in requests] == [s["step"] for s in steps]
    for m, s in zip(requests, steps):
        assert m.group(6).startswith(s["method"] + " "), (m.group(0), s["method"])
    responses = sorted(int(m.group(5)) for m in found if m.group(2) != "->>")
    assert responses == [s["step"] for s in steps], responses


def test_nested_steps_come_between_their_parents_arrows():
    diagram = play("demo", "--format", "mermaid")
    steps = steps_of(play("demo", "--format", "jsonl"))
    where = {}
    for index, m in enumerate(arrows(diagram)):
        where[(int(m.group(5)), m.group(2) == "->>")] = index
    nested = [s for s in steps if s["parent"]]
    assert nested, "the demo has nested steps"
    for s in nested:
        p = s["parent"]
        assert where[(p, True)] < where[(s["step"], True)] < where[(s["step"], False)] < where[(p, False)], s["step"]


def test_arrows_go_between_the_right_participants_and_activations_balance():
    diagram = play("demo", "--format", "mermaid")
    steps = {s["step"]: s for s in steps_of(play("demo", "--format", "jsonl"))}
    ids = {"resource-owner": "Owner", "client": "Client", "auth-server": "Server", "api": "API"}
    for m in arrows(diagram):
        s = steps[int(m.group(5))]
        if m.group(2) == "->>":
            assert (m.group(1), m.group(3), m.group(4)) == (ids[s["from"]], "+", ids[s["to"]]), m.group(0)
        else:
            assert (m.group(1), m.group(3), m.group(4)) == (ids[s["to"]], "-", ids[s["from"]]), m.group(0)


def test_each_phase_is_a_box_headed_by_a_note():
    lines = [line.strip() for line in play("demo", "--format", "mermaid").splitlines()]
    opened = [i for i, line in enumerate(lines) if line.startswith("rect rgba(")]
    closed = [i for i, line in enumerate(lines) if line == "end"]
    assert len(opened) == len(closed), "every rect is closed"
    headings = [lines[i + 1] for i in opened if lines[i + 1].startswith("Note over Owner,API: Phase: ")]
    seen = []
    for heading in headings:
        phase = heading.split("Phase: ", 1)[1]
        if phase not in seen:
            seen.append(phase)
    assert seen == PHASES, seen
    depth = 0
    for line in lines:
        depth += line.startswith("rect ") - (line == "end")
        assert depth >= 0
    assert depth == 0


def test_errors_are_crossed_arrows_in_a_red_box():
    diagram = play("run", ERRORS, "--format", "mermaid")
    steps = steps_of(play("run", ERRORS, "--format", "jsonl"))
    failed = {s["step"] for s in steps if s["status"] == 0 or s["status"] >= 400}
    assert {0, 401} <= {s["status"] for s in steps}, "the scenario refuses and loses messages"
    lines = diagram.splitlines()
    crossed = set()
    for index, line in enumerate(lines):
        m = ARROW.match(line)
        if m and m.group(2) != "->>":
            if m.group(2) == "--x":
                crossed.add(int(m.group(5)))
                assert lines[index - 1].strip() == "rect rgba(229, 57, 53, 0.22)", lines[index - 1]
                assert lines[index + 1].strip() == "end"
            else:
                assert m.group(2) == "-->>"
    assert crossed == failed, (crossed, failed)
    assert any(line.strip() == "participant Other1 as https://nowhere.example" for line in lines)
    demo = play("demo", "--format", "mermaid")
    assert [m.group(5) for m in arrows(demo) if m.group(2) == "--x"] == ["9"], "the expired token"


def test_nothing_mermaid_would_misread():
    implicit = os.path.join(SRCDIR, "..", "scenarios", "legacy", "implicit.json")
    diagram = (play("run", ERRORS, "--format", "mermaid") + play("demo", "--format", "mermaid")
               + play("run", implicit, "--format", "mermaid"))
    for line in diagram.splitlines():
        line = line.strip()
        if line.startswith(("title ", "participant ")):
            text = line.split(" as ", 1)[-1] if line.startswith("participant ") else line[6:]
        elif ": " in line:
            text = line.split(": ", 1)[1]
        else:
            assert re.fullmatch(r"sequenceDiagram|end|rect rgba\(\d+, \d+, \d+, [\d.]+\)", line), line
            continue
        text = re.sub(r"#\d+;", "", text).replace("<br/>", "")
        for bad in (";", "#", "\"", "<", ">", "&", "%"):
            assert bad not in text, (bad, line)
    assert "#60;script#62;alert(1)#60;/script#62;" in diagram
    assert "title What goes wrong: a wrong secret#59; a lost message #35; #34;quoted#34;" in diagram


def test_client_credentials_lesson_has_no_owner_arrow_and_a_token_request_box():
    diagram = play("run", MACHINE, "--format", "mermaid")
    steps = {s["step"]: s for s in steps_of(play("run", MACHINE, "--format", "jsonl"))}
    found = arrows(diagram)
    assert len(found) == 2 * len(steps), (len(found), len(steps))
    assert not [m for m in found if "Owner" in (m.group(1), m.group(4))], "no owner takes part"
    token = [m for m in found if m.group(6).startswith("POST /token")]
    assert [(m.group(1), m.group(4)) for m in token] == [("Client", "Server")] * 2, token
    lines = [line.strip() for line in diagram.splitlines()]
    phases = []
    for line in lines:
        if line.startswith("Note over Owner,API: Phase: "):
            phase = line.split("Phase: ", 1)[1]
            if phase not in phases:
                phases.append(phase)
    assert phases == ["registration", "token request", "access"], phases
    box = lines.index("Note over Owner,API: Phase: token request") - 1
    assert lines[box] == "rect rgba(255, 112, 67, 0.15)", lines[box]
    # The expired token is refused, and nothing refreshes it: the service asks again.
    assert [int(m.group(5)) for m in found if m.group(2) == "--x"] == [5, 7], diagram


def test_same_seed_same_diagram():
    assert play("demo", "--format", "mermaid") == play("demo", "--format", "mermaid")


def test_unknown_format_names_all_four():
    status, out, err = oauth_sim("demo", "--format", "svg")
    assert status == 2 and out == ""
    for name in ("text", "jsonl", "mermaid", "html"):
        assert name in err, err
    status, out, _ = oauth_sim("help", "run")
    assert "mermaid" in out and "html" in out


run([test_participants_in_order_with_readable_labels, test_two_arrows_per_step_with_the_trace_numbers,
     test_nested_steps_come_between_their_parents_arrows,
     test_arrows_go_between_the_right_participants_and_activations_balance,
     test_each_phase_is_a_box_headed_by_a_note, test_errors_are_crossed_arrows_in_a_red_box,
     test_nothing_mermaid_would_misread,
     test_client_credentials_lesson_has_no_owner_arrow_and_a_token_request_box, test_same_seed_same_diagram, test_unknown_format_names_all_four])
