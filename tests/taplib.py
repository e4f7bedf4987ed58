"""taplib.py: a few lines of TAP for the tests that drive the oauth-sim program.

Each test is a function; a failed assert prints the reason as a TAP diagnostic."""
import os
import subprocess
import sys
import traceback

OAUTH_SIM = os.environ.get("OAUTH_SIM", "oauth-sim")
SRCDIR = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = os.environ.get("SCENARIOS_DIR", os.path.join(SRCDIR, "..", "scenarios"))


def oauth_sim(*args, stdin=None, timeout=20, env=None):
    """Runs oauth-sim; returns (exit status, stdout, stderr) as text."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([OAUTH_SIM, *args], input=stdin, capture_output=True,
                          timeout=timeout, env=full_env)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def run(tests):
    print(f"1..{len(tests)}")
    failed = 0
    for number, test in enumerate(tests, 1):
        name = test.__name__.removeprefix("test_").replace("_", "-")
        try:
            test()
            print(f"ok {number} - {name}")
        except Exception:  # a failed assert or a crash: both fail the test
            failed += 1
            print(f"not ok {number} - {name}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
