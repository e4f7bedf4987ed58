#!/usr/bin/env python3
"""--step and --until, driven through a pseudo-terminal as a person at a keyboard would."""
import os
import pty
import re
import select
import subprocess
import time

from taplib import OAUTH_SIM, oauth_sim, run

PROMPT = re.compile(rb"step (\d+) of (\d+)")


class Terminal:
    def __init__(self, *args):
        self.master, slave = pty.openpty()
        env = dict(os.environ, NO_COLOR="1", COLUMNS="80")
        self.proc = subprocess.Popen([OAUTH_SIM, *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, close_fds=True)
        os.close(slave)
        self.screen = b""

    def read_until_prompt(self, timeout=10):
        """Reads until a new prompt appears; returns the step number it shows."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = list(PROMPT.finditer(self.screen, start))
            if found and self.screen.endswith(b"\xe2\x94\x80 "):
                return int(found[-1].group(1))
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break
        raise AssertionError(f"no prompt; screen ends with {self.screen[-300:]!r}")

    def type(self, text):
        os.write(self.master, text.encode())

    def finish(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break
        status = self.proc.wait(timeout=timeout)
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            self.screen += data
        os.close(self.master)
        return status


def test_enter_back_jump_quit():
    t = Terminal("demo", "--step")
    assert t.read_until_prompt() == 1
    assert b"registration" in t.screen
    t.type("\n")
    assert t.read_until_prompt() == 2
    t.type("b\n")
    assert t.read_until_prompt() == 1
    assert b"\x1b[2J" in t.screen, "going back redraws the screen"
    t.type("9\n")
    assert t.read_until_prompt() == 9
    t.type("q\n")
    assert t.finish() == 0


def test_enter_to_the_end_shows_everything():
    t = Terminal("demo", "--step")
    step = t.read_until_prompt()
    _, total = map(int, PROMPT.findall(t.screen)[-1])
    while step < total - 1:
        t.type("\n")
        step = t.read_until_prompt()
    t.type("\n")
    assert t.finish() == 0, "after the last step the run ends by itself"
    assert b"With the new access token" in t.screen


def test_until_pauses_before_the_phase():
    t = Terminal("demo", "--until", "refresh")
    step = t.read_until_prompt()
    assert b"11 \xc2\xb7 refresh" not in t.screen, "the refresh phase must not be shown yet"
    assert step == 10, step
    t.type("\n")
    assert t.read_until_prompt() == 11
    assert b"11 \xc2\xb7 refresh" in t.screen
    t.type("q\n")
    assert t.finish() == 0


def test_a_wrong_answer_is_explained():
    t = Terminal("demo", "--step")
    t.read_until_prompt()
    t.type("what\n")
    assert t.read_until_prompt() == 1
    assert b"Type Enter, b, q or a step number" in t.screen
    t.type("q\n")
    assert t.finish() == 0


def test_no_terminal_never_pauses():
    status, out, err = oauth_sim("demo", "--step", stdin=b"")
    assert status == 0
    assert "of 13" not in err and "With the new access token" in out


run([test_enter_back_jump_quit, test_enter_to_the_end_shows_everything,
     test_until_pauses_before_the_phase, test_a_wrong_answer_is_explained,
     test_no_terminal_never_pauses])
