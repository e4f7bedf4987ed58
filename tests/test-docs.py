#!/usr/bin/env python3
"""Every example in docs/scenario-format.md loads and plays with all its expectations met, so
the reference stays true."""
import os
import re
import tempfile

from taplib import SRCDIR, oauth_sim, run

DOC = os.path.normpath(os.path.join(SRCDIR, "..", "docs", "scenario-format.md"))


def examples():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"```json\n(.*?)\n\s*```", text, re.S)


def make_test(number, source):
    def test():
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            f.write(source)
        try:
            status, out, err = oauth_sim("run", f.name)
        finally:
            os.unlink(f.name)
        assert status == 0, f"example {number} exited {status}: {err}"
        assert out.strip(), "no trace"
    test.__name__ = f"test_example_{number}"
    return test


def test_there_are_examples():
    assert len(examples()) >= 8


run([test_there_are_examples] + [make_test(i + 1, s) for i, s in enumerate(examples())])
