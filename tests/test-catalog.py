#!/usr/bin/env python3
"""The Korean catalog is complete: every translatable string in the sources has a translation,
none fuzzy, and every source file with strings is listed for xgettext."""
import glob
import os
import re
import subprocess
import tempfile

from taplib import SRCDIR, run

ROOT = os.path.normpath(os.path.join(SRCDIR, ".."))
MARKED = re.compile(r"\b(?:N_|_)\(\s*\"")


def sources():
    files = glob.glob(os.path.join(ROOT, "sim", "**", "*.c"), recursive=True)
    files += glob.glob(os.path.join(ROOT, "actors", "**", "*.c"), recursive=True)
    return sorted(os.path.relpath(f, ROOT) for f in files)


def listed():
    with open(os.path.join(ROOT, "po", "POTFILES.in"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def test_potfiles_lists_every_file_with_strings():
    with_strings = [f for f in sources() if MARKED.search(open(os.path.join(ROOT, f), encoding="utf-8").read())]
    missing = sorted(set(with_strings) - set(listed()))
    assert not missing, f"add to po/POTFILES.in: {missing}"


def test_potfiles_names_only_existing_files():
    gone = [f for f in listed() if not os.path.exists(os.path.join(ROOT, f))]
    assert not gone, gone


def test_korean_catalog_is_complete():
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "oauth-sim.pot")
        merged = os.path.join(tmp, "ko.po")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                        "--directory", ROOT, "--files-from", os.path.join(ROOT, "po", "POTFILES.in"),
                        "--output", pot], check=True, capture_output=True)
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--output-file", merged,
                        os.path.join(ROOT, "po", "ko.po"), pot], check=True, capture_output=True)
        stats = subprocess.run(["msgfmt", "--check", "--statistics", "--output-file", os.devnull, merged],
                               capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    report = stats.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages\.", report), f"incomplete catalog: {report}"


run([test_potfiles_lists_every_file_with_strings, test_potfiles_names_only_existing_files,
     test_korean_catalog_is_complete])
