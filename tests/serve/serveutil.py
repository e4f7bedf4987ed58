"""serveutil.py: start `oauth-sim serve` on free loopback ports, talk to it, stop it.

The server's stdout is read continuously by a thread (a full pipe would block the server in
the middle of a trace step), and every wait has a deadline, so a hung server fails a test
instead of hanging it."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from taplib import OAUTH_SIM, SRCDIR, run  # noqa: E402,F401

NAMES = ["auth-server", "api", "client"]
URL_LINE = re.compile(r"^(auth-server|api|client) (http://127\.0\.0\.1:(\d+))$")
TIMEOUT = 15
USER_AGENT = "serve-test/1"  # the trace names an outside sender after its User-Agent


class Serve:
    """A running `oauth-sim serve --port 0 ...`; use it in a with statement."""

    def __init__(self, *args, port="0"):
        env = dict(os.environ, NO_COLOR="1")
        self.proc = subprocess.Popen([OAUTH_SIM, "serve", "--port", port, *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.errors = []
        self.lock = threading.Lock()
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.lines)),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self.errors))]
        for reader in self.readers:
            reader.daemon = True
            reader.start()
        self.urls = {}
        deadline = time.monotonic() + TIMEOUT
        while len(self.snapshot()) < 3:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"serve did not print its three URLs: {self.snapshot()} "
                                     f"{self.stderr()}")
            time.sleep(0.02)
        for line in self.snapshot()[:3]:
            match = URL_LINE.match(line)
            assert match, f"not a URL line: {line!r}"
            self.urls[match.group(1)] = match.group(2)
        assert list(self.urls) == NAMES, self.snapshot()[:3]

    def _read(self, stream, into):
        for raw in iter(stream.readline, b""):
            with self.lock:
                into.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def trace(self):
        return "\n".join(self.snapshot()[3:])

    def stderr(self):
        with self.lock:
            return "\n".join(self.errors)

    def wait_for(self, text, timeout=TIMEOUT):
        """Waits until @text appears in the trace; returns the trace."""
        deadline = time.monotonic() + timeout
        while text not in self.trace():
            assert time.monotonic() < deadline, f"{text!r} never appeared in the trace"
            assert self.proc.poll() is None, f"serve exited: {self.stderr()}"
            time.sleep(0.02)
        return self.trace()

    def url(self, name, path=""):
        return self.urls[name] + path

    def stop(self, sig=signal.SIGINT):
        """Stops the server with @sig; returns its exit status (killed after a deadline)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("serve did not stop within its deadline")
        for reader in self.readers:
            reader.join(timeout=TIMEOUT)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        status = self.stop()
        if exc[0] is None:
            assert status == 0, f"serve exited {status}: {self.stderr()}"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # lower-case name -> value (repeated ones joined)
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def request(method, url, body=None, headers=None, timeout=TIMEOUT):
    """One HTTP request, no redirect followed; returns a Response."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers = dict(headers or {}, **{"Content-Type": "application/json"})
    elif isinstance(body, (list, tuple)):
        body = urllib.parse.urlencode(body).encode()
        headers = dict(headers or {}, **{"Content-Type": "application/x-www-form-urlencoded"})
    headers = dict({"User-Agent": USER_AGENT}, **(headers or {}))
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=body, headers=headers)
        answer = connection.getresponse()
        names = {}
        for name, value in answer.getheaders():
            key = name.lower()
            names[key] = f"{names[key]}, {value}" if key in names else value
        return Response(answer.status, names, answer.read())
    finally:
        connection.close()


def raw_exchange(url, data, read=True, timeout=TIMEOUT):
    """Sends raw bytes to the server of @url; returns what came back until it closed."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        if not read:
            return b""
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def register(serve, name="Test client", redirect_uri="http://127.0.0.1:9/callback",
             scope="calendar.read calendar.write", method="client_secret_basic"):
    answer = request("POST", serve.url("auth-server", "/register"), {
        "client_name": name, "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": method, "scope": scope})
    assert answer.status == 201, (answer.status, answer.text)
    return answer.json()


def form_field(html, name):
    match = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), html)
    assert match, f"no {name} in the page"
    return match.group(1)


def browser_flow(serve, username="alice", password="wonderland", scopes=("calendar.read",)):
    """What a browser does from the client's /connect to its callback page, as plain HTTP.
    Returns the callback's Response."""
    connect = request("GET", serve.url("client", "/connect"))
    assert connect.status == 302, (connect.status, connect.text)
    # the client binds the state to this browser with a cookie, which a browser sends back
    cookie = connect.headers["set-cookie"].split(";")[0]
    login = request("GET", connect.headers["location"])
    assert login.status == 200, (login.status, login.text)
    form = [("request_id", form_field(login.text, "request_id")),
            ("username", username), ("password", password)]
    form += [("scope", scope) for scope in scopes]
    form.append(("decision", "approve"))
    consent = request("POST", serve.url("auth-server", "/consent"), form)
    assert consent.status == 302, (consent.status, consent.text)
    assert consent.headers["location"].startswith(serve.url("client", "/callback?")), consent.headers
    return request("GET", consent.headers["location"], headers={"Cookie": cookie})
