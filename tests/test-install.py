#!/usr/bin/env python3
"""Installed, it is whole: `meson install` into a DESTDIR, then the installed program run from
another folder finds the whole catalog (lessons and attacks) by name, its manual page renders
and its bash completion completes verbs, options and lesson names."""
import glob
import os
import shutil
import subprocess
import tempfile

from taplib import SCENARIOS, run

BUILD_ROOT = os.environ["MESON_BUILD_ROOT"]
PREFIX = os.environ.get("INSTALL_PREFIX", "/usr/local")
DESTDIR = tempfile.mkdtemp(prefix="oauth-sim-install-")
ROOT = DESTDIR + PREFIX
PROGRAM = os.path.join(ROOT, "bin", "oauth-sim")
ELSEWHERE = tempfile.mkdtemp(prefix="oauth-sim-elsewhere-")


def installed(*args, cwd=ELSEWHERE):
    env = {k: v for k, v in os.environ.items() if k not in ("SCENARIOS_DIR", "OAUTH_SIM")}
    proc = subprocess.run([PROGRAM, *args], cwd=cwd, capture_output=True, timeout=30, env=env)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def source_lessons():
    names = []
    for path in glob.glob(os.path.join(SCENARIOS, "**", "*.json"), recursive=True):
        names.append(os.path.relpath(path, SCENARIOS)[:-len(".json")])
    return sorted(names, key=lambda name: ("/" in name, name))  # classic first, then the folders


def test_meson_install_into_a_destdir():
    meson = shutil.which("meson")
    assert meson, "meson is missing"
    proc = subprocess.run([meson, "install", "-C", BUILD_ROOT, "--no-rebuild", "--destdir", DESTDIR],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stdout.decode()[-2000:] + proc.stderr.decode()[-2000:]
    assert os.access(PROGRAM, os.X_OK), PROGRAM
    catalog = os.path.join(ROOT, "share", "oauth-sim", "scenarios")
    found = sorted(os.path.relpath(p, catalog)[:-len(".json")]
                   for p in glob.glob(os.path.join(catalog, "**", "*.json"), recursive=True))
    assert found == sorted(source_lessons()), "every scenario of the source tree is installed, and nothing else: " + \
        str(set(found) ^ set(source_lessons()))


def test_list_from_another_folder_names_the_whole_catalog():
    status, out, err = installed("list")
    assert status == 0, err
    names = [line.split()[0] for line in out.splitlines()]
    assert names == source_lessons(), set(names) ^ set(source_lessons())
    assert all(len(line.split(None, 1)) == 2 for line in out.splitlines()), "each name has its title"


def test_run_and_check_a_lesson_by_name():
    status, out, err = installed("run", "attacks/csrf-off", "--no-color")
    assert status == 0, err
    assert "state_check" in out and "── 1 · registration" in out, out[:500]
    status, out, err = installed("check", "consent/access-denied", "attacks/csrf-on.json")
    assert status == 0, out + err
    assert out.count("\nok ") + out.startswith("ok ") == 2, out
    status, _, err = installed("run", "attacks/no-such-attack")
    assert status == 2 and "no such file" in err, err


def test_a_file_in_the_current_folder_comes_first():
    folder = os.path.join(ELSEWHERE, "attacks")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "csrf-off.json"), "w") as f:
        f.write("{ \"title\": ")
    status, _, err = installed("run", "attacks/csrf-off.json")
    assert status == 2 and "attacks/csrf-off.json:1:" in err, err
    shutil.rmtree(folder)


def test_the_manual_page_renders():
    page = os.path.join(ROOT, "share", "man", "man1", "oauth-sim.1")
    assert os.path.exists(page), page
    man = shutil.which("man")
    assert man, "man is missing: apt-get install man-db (the README's test command does)"
    proc = subprocess.run([man, "-l", page], capture_output=True, timeout=30,
                          env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    for heading in ("NAME", "SYNOPSIS", "VERBS", "COMMON OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES"):
        assert f"\n{heading}\n" in text, heading
    status, out, _ = installed("--help")
    verbs = [line.split()[0] for line in out.split("Verbs:\n", 1)[1].split("\n\n", 1)[0].splitlines()]
    for verb in verbs:
        assert f"\n       {verb}" in text, f"the manual page has no entry for the verb {verb}"
    assert "warning" not in proc.stderr.decode().lower(), proc.stderr.decode()


def complete(*words):
    """What the installed completion offers for the command line @words (the last is being typed)."""
    script = os.path.join(ROOT, "share", "bash-completion", "completions", "oauth-sim")
    assert os.path.exists(script), script
    line = " ".join(f"'{w}'" for w in (PROGRAM, *words))
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                           f'source "{script}"; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _oauth_sim;'
                           ' printf "%s\\n" "${COMPREPLY[@]}"'],
                          cwd=ELSEWHERE, capture_output=True, timeout=30)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode()
    return proc.stdout.decode().split()


def test_bash_completion():
    assert complete("") == ["demo", "run", "check", "list", "serve", "attacks", "explore", "bench", "help"], complete("")
    assert complete("ch") == ["check"]
    assert set(complete("run", "--s")) == {"--seed", "--show-knowledge", "--step"}, complete("run", "--s")
    assert "--update-golden" in complete("check", "--")
    assert "--lang" in complete("bench", "--")
    assert complete("demo", "--format", "") == ["text", "jsonl", "mermaid", "html"]
    assert complete("--lang", "ko", "run", "--until", "co") == ["consent", "code-exchange"]
    assert complete("run", "attacks/csrf-o") == ["attacks/csrf-off", "attacks/csrf-on"]
    assert complete("help", "at") == ["attacks"]


try:
    run([test_meson_install_into_a_destdir, test_list_from_another_folder_names_the_whole_catalog,
         test_run_and_check_a_lesson_by_name, test_a_file_in_the_current_folder_comes_first,
         test_the_manual_page_renders, test_bash_completion])
finally:
    shutil.rmtree(DESTDIR, ignore_errors=True)
    shutil.rmtree(ELSEWHERE, ignore_errors=True)
