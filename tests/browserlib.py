"""browserlib.py: headless Chromium and the mermaid npm package for the tests that look at
oauth-sim's diagrams and pages as a browser shows them.

Chromium is Debian's (the README's test command installs it); mermaid comes from the npm
registry into the build folder the first time a test needs it, at pinned versions, so nothing
big lives in git. Anything missing is a failure, never a skip."""
import atexit
import base64
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

# Run by hand without meson, downloads and screenshots go to a temporary folder, never into the
# source tree.
BUILDDIR = os.environ.get("G_TEST_BUILDDIR") or os.path.join(tempfile.gettempdir(), "oauth-sim-tests")
os.makedirs(BUILDDIR, exist_ok=True)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

# The oldest Mermaid the Markdown viewers in use still ship, a current 11 and the newest.
MERMAID_VERSIONS = ["10.9.5", "11.17.2", "12.3.0"]
MERMAID_DIR = os.path.join(BUILDDIR, "mermaid")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def need_chromium():
    assert os.access(CHROMIUM, os.X_OK), (
        f"{CHROMIUM} is missing: apt-get install chromium (the README's test command does)")


def mermaid_js(version):
    """Returns the path of mermaid.min.js at @version (one of MERMAID_VERSIONS). The first call
    fetches every version with one `npm pack` (each package's own tarball, checked against the
    registry's hash, without dependencies: mermaid.min.js is a bundle) into the build folder."""
    assert version in MERMAID_VERSIONS, version
    path = lambda v: os.path.join(MERMAID_DIR, v, "mermaid.min.js")
    missing = [v for v in MERMAID_VERSIONS if not os.path.exists(path(v))]
    if missing:
        npm = shutil.which("npm")
        assert npm, "npm is missing: it comes with Node.js"
        os.makedirs(MERMAID_DIR, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=MERMAID_DIR) as download:
            proc = subprocess.run([npm, "pack", *(f"mermaid@{v}" for v in missing), "--pack-destination",
                                   download, "--loglevel=error"], capture_output=True, timeout=120)
            assert proc.returncode == 0, "npm pack failed: " + proc.stderr.decode("utf-8", "replace")[-2000:]
            for v in missing:
                os.makedirs(os.path.dirname(path(v)), exist_ok=True)
                with tarfile.open(os.path.join(download, f"mermaid-{v}.tgz")) as tar:
                    with open(path(v) + ".part", "wb") as out:
                        shutil.copyfileobj(tar.extractfile("package/dist/mermaid.min.js"), out)
                os.replace(path(v) + ".part", path(v))
    return path(version)


def chromium(url, *extra, timeout=60):
    """Runs headless Chromium on @url with its own throwaway profile; returns stdout as text."""
    need_chromium()
    with tempfile.TemporaryDirectory(prefix="oauth-sim-chromium-") as profile:
        proc = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc.stdout.decode("utf-8", "replace")


def dump_dom(path, budget_ms=20000):
    """The DOM of the page at @path once its scripts have run (virtual time lets promises
    settle before the dump)."""
    return chromium("file://" + os.path.abspath(path), f"--virtual-time-budget={budget_ms}",
                    "--allow-file-access-from-files", "--dump-dom")


def screenshot(path, png, width, height, budget_ms=20000):
    chromium("file://" + os.path.abspath(path), f"--virtual-time-budget={budget_ms}",
             "--allow-file-access-from-files", f"--window-size={width},{height}", f"--screenshot={png}")
    assert os.path.getsize(png) > 1000, png


def script_json(value):
    """JSON that can sit inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class WebDriver:
    """Debian's chromedriver driving headless Chromium through the W3C WebDriver protocol:
    plain JSON over HTTP on the loopback, so no client library is needed."""

    KEYS = {"ArrowRight": "\ue014", "ArrowLeft": "\ue012", "Home": "\ue011", "End": "\ue010",
            "Space": " "}

    def __init__(self, width=1400, height=900):
        need_chromium()
        assert os.access(CHROMEDRIVER, os.X_OK), (
            f"{CHROMEDRIVER} is missing: apt-get install chromium-driver (the README's test command does)")
        self.profile = tempfile.TemporaryDirectory(prefix="oauth-sim-webdriver-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "chromedriver did not start"
            time.sleep(0.1)
        options = {"binary": CHROMIUM,
                   "args": CHROMIUM_FLAGS + [f"--user-data-dir={self.profile.name}",
                                             f"--window-size={width},{height}"]}
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=30) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError(f"webdriver {method} {path}: {e.read().decode('utf-8', 'replace')[:1000]}")

    def call(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, path):
        self.call("POST", "/url", {"url": "file://" + os.path.abspath(path)})

    def run(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def press(self, key):
        value = self.KEYS.get(key, key)
        self.call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]}]})

    def click(self, selector):
        found = self.call("POST", "/element", {"using": "css selector", "value": selector})
        element = next(iter(found.values()))
        self.call("POST", f"/element/{element}/click", {})

    def text(self, selector):
        return self.run("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", selector)

    def wait_for(self, script, *args, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(script, *args)
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for: {script}"
            time.sleep(0.1)

    def resize(self, width, height):
        self.call("POST", "/window/rect", {"width": width, "height": height})

    def wait_for_text(self, selector, unlike, timeout=30):
        """Waits until the element's text is no longer @unlike; returns it."""
        return self.wait_for("const e = document.querySelector(arguments[0]);"
                             " return e && e.textContent !== arguments[1] ? e.textContent : null;",
                             selector, unlike, timeout=timeout)

    def screenshot(self, png):
        with open(png, "wb") as f:
            f.write(base64.b64decode(self.call("GET", "/screenshot")))
        assert os.path.getsize(png) > 1000, png

    def quit(self):
        try:
            self.call("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.profile.cleanup()


_shared = None


def shared_driver(width=1400, height=900):
    """One browser for the whole test program: starting Chromium is the slow part of a browser
    test on a busy machine, so every subtest opens its pages in the same one, each page loaded
    afresh (and the window set to @width x @height). It quits when the program exits."""
    global _shared
    if _shared is None:
        _shared = WebDriver(width, height)
        atexit.register(_shared.quit)
    else:
        _shared.resize(width, height)
    return _shared
