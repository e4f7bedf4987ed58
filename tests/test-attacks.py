#!/usr/bin/env python3
"""oauth-sim attacks: the attack lab's matrix, computed from runs of the lesson pairs.

The built-in lab must show every attack stopped by its lesson's defense, and the cells must
come from the runs: a copy of a pair whose defense does not really stop the attack, or whose
expectations are broken, changes the cell or the status and the exit status."""
import json
import os
import shutil
import tempfile

from taplib import SCENARIOS, oauth_sim, run

ATTACKS = os.path.join(SCENARIOS, "attacks")
DEFENSES = ["state_check", "pkce", "pkce_downgrade_protection", "exact_redirect_uri",
            "single_use_codes", "refresh_rotation", "iss_parameter", "audience_restriction",
            "consent_frame_protection", "referrer_policy", "redirect_allowlist", "nonce_check",
            "id_token_login", "no_password_grant", "no_implicit_grant",
            "sender_constraint", "device_confirmation"]
# one attack per pair of files; the lab has at least the eighteen of docs/attack-lab.md
PAIRS = len({f.rsplit("-", 1)[0] for f in os.listdir(os.path.join(SCENARIOS, "attacks")) if f.endswith(".json")})


def lab_json(*paths):
    status, out, err = oauth_sim("attacks", "--format", "json", *paths, timeout=60)
    return status, (json.loads(out) if out.strip() else None), err


def copy_pair(name, edit=None):
    """A temporary folder with NAME-off.json and NAME-on.json, each passed through edit()."""
    folder = tempfile.mkdtemp()
    for side in ("off", "on"):
        with open(os.path.join(ATTACKS, f"{name}-{side}.json"), encoding="utf-8") as f:
            scenario = json.load(f)
        if edit:
            edit(side, scenario)
        with open(os.path.join(folder, f"{name}-{side}.json"), "w", encoding="utf-8") as f:
            json.dump(scenario, f, ensure_ascii=False, indent=2)
    return folder


def test_every_lesson_file_has_its_pair():
    files = sorted(f for f in os.listdir(ATTACKS) if f.endswith(".json"))
    stems = {f.rsplit("-", 1)[0] for f in files}
    assert len(stems) >= 18, stems
    assert files == sorted(f"{s}-{side}.json" for s in stems for side in ("off", "on")), files


def test_builtin_lab_text():
    status, out, err = oauth_sim("attacks", timeout=60)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"Which defense stops which attack: {PAIRS} attacks, computed from ")
    header = lines[2].split()
    assert header == [str(i) for i in range(1, len(DEFENSES) + 1)], lines[2]
    rows = [l for l in lines[3:] if l.endswith("   ok") or l.endswith("   FAILED")]
    assert len(rows) == PAIRS and all(r.endswith("   ok") for r in rows), "\n".join(rows)
    # each row has exactly one lesson mark, and every defense is some lesson's
    marks = [r[40:].split()[:-1] for r in rows]
    assert all(m.count("■") == 1 and len(m) == len(DEFENSES) for m in marks), marks
    assert {m.index("■") for m in marks} == set(range(len(DEFENSES)))
    for i, name in enumerate(DEFENSES, 1):
        assert any(l.startswith(f"{i:3}  {name}: ") for l in lines), name


def test_builtin_lab_json():
    status, lab, err = lab_json()
    assert status == 0, err
    assert lab["ok"] is True and [d["name"] for d in lab["defenses"]] == DEFENSES
    assert len(lab["attacks"]) == PAIRS >= 18 and lab["runs"] >= 2 * PAIRS
    for attack in lab["attacks"]:
        assert attack["ok"] and attack["problems"] == [], attack
        assert attack["off"]["attack_worked"] and not attack["on"]["attack_worked"], attack
        assert attack["off"]["expectations_met"] and attack["on"]["expectations_met"], attack
        assert attack["cells"][attack["defense"]] == "stops", attack
        assert attack["defense"] in attack["stopped_by"], attack
        assert set(attack["cells"]) == set(DEFENSES)
        assert attack["cites"].startswith(("RFC ", "OpenID Connect ")), attack


def test_other_cells_come_from_runs():
    """No file names state_check for the PKCE downgrade, yet switching it on stops the attack."""
    status, lab, err = lab_json()
    by_name = {a["name"]: a for a in lab["attacks"]}
    downgrade = by_name["PKCE downgrade"]
    assert downgrade["cells"]["state_check"] == "stops", downgrade
    assert by_name["Open redirector on the client"]["cells"]["exact_redirect_uri"] == "stops"
    # and a defense that is on where the attack works does not stop it
    assert by_name["CSRF on the callback"]["cells"]["pkce"] == "does-not-stop"


def test_a_defense_that_does_not_stop_the_attack_is_caught():
    """The CSRF pair, claiming referrer_policy stops it: with it on, the attack still works."""
    def edit(side, scenario):
        scenario["attack"]["defense"] = "referrer_policy"
        scenario["defenses"] = {"state_check": False, "referrer_policy": side == "on"}
    folder = copy_pair("csrf", edit)
    try:
        status, lab, err = lab_json(folder)
        text_status, out, _ = oauth_sim("attacks", folder, timeout=60)
    finally:
        shutil.rmtree(folder)
    assert status == 1 and text_status == 1, err
    attack = lab["attacks"][0]
    assert lab["ok"] is False and attack["ok"] is False
    assert attack["on"]["attack_worked"] is True
    assert attack["cells"]["referrer_policy"] == "broken"
    assert "with referrer_policy on, the attack should fail, and the attacker got its prize" in err
    assert "   FAILED" in out and "✗" in out


def test_broken_expectations_fail_the_pair():
    def edit(side, scenario):
        if side == "on":
            scenario["steps"][4]["expect"][0]["status"] = 401
    folder = copy_pair("csrf", edit)
    try:
        status, lab, err = lab_json(folder)
    finally:
        shutil.rmtree(folder)
    assert status == 1, err
    attack = lab["attacks"][0]
    assert attack["on"]["expectations_met"] is False and attack["ok"] is False
    # the defense still stops the attack: the cell says so, the status does not
    assert attack["cells"]["state_check"] == "stops"
    assert "csrf-on.json: its expectations fail" in err


def test_a_lesson_without_its_pair_is_trouble():
    folder = copy_pair("mix-up")
    os.unlink(os.path.join(folder, "mix-up-on.json"))
    try:
        status, out, err = oauth_sim("attacks", folder)
    finally:
        shutil.rmtree(folder)
    assert status == 2 and out == "", out
    assert "has no lesson with iss_parameter on to pair it with" in err, err


def test_pairs_differ_in_their_defense_only():
    def edit(side, scenario):
        if side == "on":
            scenario["defenses"]["pkce"] = False
    folder = copy_pair("csrf", edit)
    try:
        status, lab, err = lab_json(folder)
    finally:
        shutil.rmtree(folder)
    assert status == 1 and "differ in more than the defense state_check" in err, err


def test_the_lab_is_reproducible():
    """Offline and byte for byte: a lesson's trace and the matrix are the same every time."""
    lesson = os.path.join(ATTACKS, "mix-up-off.json")
    first = oauth_sim("run", lesson, "--format", "jsonl")
    assert first[0] == 0 and first == oauth_sim("run", lesson, "--format", "jsonl")
    assert '"attacker":[' in first[1]
    assert oauth_sim("attacks", "--format", "json", timeout=60) == oauth_sim("attacks", "--format", "json", timeout=60)


def test_unknown_format_is_a_usage_error():
    status, _, err = oauth_sim("attacks", "--format", "yaml")
    assert status == 2 and "unknown format" in err


run([test_every_lesson_file_has_its_pair, test_builtin_lab_text, test_builtin_lab_json,
     test_other_cells_come_from_runs, test_a_defense_that_does_not_stop_the_attack_is_caught,
     test_broken_expectations_fail_the_pair, test_a_lesson_without_its_pair_is_trouble,
     test_pairs_differ_in_their_defense_only, test_the_lab_is_reproducible,
     test_unknown_format_is_a_usage_error])
