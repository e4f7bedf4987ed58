#!/usr/bin/env python3
"""The README is the front door: its two commands must stay true, and .ci/run must run exactly
the README's test command."""
import os
import re

from taplib import SRCDIR, run

ROOT = os.path.normpath(os.path.join(SRCDIR, ".."))


def commands():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 2, "README needs the demo command and the test command"
    return blocks[0].strip(), blocks[1].strip()


def test_demo_command_installs_builds_and_runs_demo():
    demo, _ = commands()
    assert demo.startswith("apt-get update && apt-get install -y"), demo
    assert "meson setup build" in demo and demo.endswith("./build/oauth-sim demo"), demo


def test_test_command_runs_meson_test():
    _, tests = commands()
    assert tests.startswith("apt-get update && apt-get install -y"), tests
    assert "meson test -C build" in tests, tests


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = commands()
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        ci = f.read()
    lines = [line.strip() for line in ci.splitlines()]
    assert tests in lines, "the README's test command is not a line of .ci/run"


def test_the_test_command_installs_all_the_demo_needs():
    demo, tests = commands()
    packages = lambda c: set(re.search(r"apt-get install -y (.*?) &&", c).group(1).split())
    assert packages(demo) <= packages(tests), packages(demo) - packages(tests)


run([test_demo_command_installs_builds_and_runs_demo, test_test_command_runs_meson_test,
     test_ci_runs_exactly_the_readme_test_command, test_the_test_command_installs_all_the_demo_needs])
