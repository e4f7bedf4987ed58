#!/usr/bin/env python3
"""Golden traces of the classic lesson, of the OpenID Connect sign-in, of the client credentials
lesson and of the JWT access token: JSON Lines in English and in Korean, and the text view. When
a change to the narration or the flow is deliberate, regenerate them:

    build/oauth-sim demo --format jsonl > tests/golden/classic.jsonl
    build/oauth-sim demo --format jsonl --lang ko > tests/golden/classic.ko.jsonl
    build/oauth-sim demo --no-color > tests/golden/classic.txt
    build/oauth-sim run scenarios/oidc/sign-in.json --format jsonl > tests/golden/oidc-sign-in.jsonl
    build/oauth-sim run scenarios/oidc/sign-in.json --format jsonl --lang ko > tests/golden/oidc-sign-in.ko.jsonl
    build/oauth-sim run scenarios/oidc/sign-in.json --no-color > tests/golden/oidc-sign-in.txt
    M=scenarios/client-credentials/backup-service.json
    build/oauth-sim run $M --format jsonl > tests/golden/client-credentials.jsonl
    build/oauth-sim run $M --format jsonl --lang ko > tests/golden/client-credentials.ko.jsonl
    build/oauth-sim run $M --no-color > tests/golden/client-credentials.txt
    build/oauth-sim run scenarios/jwt/access-token.json --format jsonl > tests/golden/jwt-access-token.jsonl
    build/oauth-sim run scenarios/jwt/access-token.json --format jsonl --lang ko > tests/golden/jwt-access-token.ko.jsonl
    build/oauth-sim run scenarios/jwt/access-token.json --no-color > tests/golden/jwt-access-token.txt

and read the diff as a student would before committing it."""
import json
import os
import re

from taplib import SCENARIOS, SRCDIR, oauth_sim, run

GOLDEN = os.path.join(SRCDIR, "golden")
SIGN_IN = os.path.join(SCENARIOS, "oidc", "sign-in.json")
MACHINE = os.path.join(SCENARIOS, "client-credentials", "backup-service.json")
JWT = os.path.join(SCENARIOS, "jwt", "access-token.json")


MISSING = object()


def member_path(path, name):
    return f"{path}.{name}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"{path}[{json.dumps(name)}]"


def first_field_difference(a, b, path="$"):
    """(path, expected, actual) of the first field where @a and @b differ, members in @a's
    order, or None: the same walk as `oauth-sim check` (sim/cli/golden-diff.c)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for name in list(a) + [n for n in b if n not in a]:
            found = first_field_difference(a.get(name, MISSING), b.get(name, MISSING), member_path(path, name))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            found = first_field_difference(a[i] if i < len(a) else MISSING,
                                           b[i] if i < len(b) else MISSING, f"{path}[{i}]")
            if found:
                return found
        return None
    if type(a) is type(b) and a == b:
        return None
    return path, a, b


def show(value):
    return "(missing)" if value is MISSING else json.dumps(value, ensure_ascii=False)


def difference(name, expected, actual):
    """Where two traces first differ, for a reader: for JSON Lines, the record, the path of
    the first differing field and the two values; for text, the two lines."""
    want, got = expected.splitlines(), actual.splitlines()
    for number in range(max(len(want), len(got))):
        a = want[number] if number < len(want) else "(end of file)"
        b = got[number] if number < len(got) else "(end of file)"
        if a == b:
            continue
        if name.endswith(".jsonl") and number < len(want) and number < len(got):
            x, y = json.loads(a), json.loads(b)
            found = first_field_difference(x, y)
            if found:
                path, p, q = found
                return (f"tests/golden/{name} line {number + 1} (trace step {x.get('step')}) "
                        f"differs at {path}:\nexpected: {show(p)}\nactual:   {show(q)}")
        return f"tests/golden/{name} line {number + 1} differs:\nexpected: {a}\nactual:   {b}"
    return None


def compare(name, *args, verb=("demo",)):
    status, out, err = oauth_sim(*verb, *args)
    assert status == 0, err
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
        expected = f.read()
    message = difference(name, expected, out)
    if message:
        raise AssertionError(message)


def test_a_changed_field_is_named_by_its_path():
    with open(os.path.join(GOLDEN, "classic.jsonl"), encoding="utf-8") as f:
        text = f.read()
    lines = text.splitlines()
    record = json.loads(lines[1])
    location = record["response"]["headers"]["Location"]
    record["response"]["headers"]["Location"] = location.replace("response_type=code", "response_type=token")
    lines[1] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    message = difference("classic.jsonl", "\n".join(lines) + "\n", text)
    assert message.startswith("tests/golden/classic.jsonl line 2 (trace step 2) differs at "
                              "$.response.headers.Location:\n"), message
    assert f"expected: {json.dumps(record['response']['headers']['Location'])}\n" in message
    assert message.endswith(f"actual:   {json.dumps(location)}"), message
    record["knowledge"]["resource-owner"].append("code")
    lines[1] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    message = difference("classic.jsonl", "\n".join(lines) + "\n", text)
    assert "differs at $.response.headers.Location:" in message, "the first difference is named"
    assert difference("classic.jsonl", text, text) is None


def test_jsonl_english():
    compare("classic.jsonl", "--format", "jsonl")


def test_jsonl_korean():
    compare("classic.ko.jsonl", "--format", "jsonl", "--lang", "ko")


def test_text_view():
    compare("classic.txt", "--no-color")


def test_oidc_jsonl_english():
    compare("oidc-sign-in.jsonl", "--format", "jsonl", verb=("run", SIGN_IN))


def test_oidc_jsonl_korean():
    compare("oidc-sign-in.ko.jsonl", "--format", "jsonl", "--lang", "ko", verb=("run", SIGN_IN))


def test_oidc_text_view():
    compare("oidc-sign-in.txt", "--no-color", verb=("run", SIGN_IN))


def test_client_credentials_jsonl_english():
    compare("client-credentials.jsonl", "--format", "jsonl", verb=("run", MACHINE))


def test_client_credentials_jsonl_korean():
    compare("client-credentials.ko.jsonl", "--format", "jsonl", "--lang", "ko", verb=("run", MACHINE))


def test_client_credentials_text_view():
    compare("client-credentials.txt", "--no-color", verb=("run", MACHINE))


def test_jwt_jsonl_english():
    compare("jwt-access-token.jsonl", "--format", "jsonl", verb=("run", JWT))


def test_jwt_jsonl_korean():
    compare("jwt-access-token.ko.jsonl", "--format", "jsonl", "--lang", "ko", verb=("run", JWT))


def test_jwt_text_view_decodes_the_token():
    compare("jwt-access-token.txt", "--no-color", verb=("run", JWT))
    with open(os.path.join(GOLDEN, "jwt-access-token.txt"), encoding="utf-8") as f:
        text = f.read()
    assert "↳ header alg=ES256 kid=" in text and "typ=at+jwt" in text
    assert "aud: https://api.example" in text


def test_korean_trace_is_korean():
    for name in ("classic.ko.jsonl", "client-credentials.ko.jsonl"):
        with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
            lines = f.read().splitlines()
        hangul = lambda s: any("\uac00" <= c <= "\ud7a3" for c in s)
        assert all(hangul(line) for line in lines), f"every step's narration in {name} is in Korean"


run([test_a_changed_field_is_named_by_its_path, test_jsonl_english, test_jsonl_korean, test_text_view, test_oidc_jsonl_english,
     test_oidc_jsonl_korean, test_oidc_text_view, test_client_credentials_jsonl_english,
     test_client_credentials_jsonl_korean, test_client_credentials_text_view, test_jwt_jsonl_english,
     test_jwt_jsonl_korean, test_jwt_text_view_decodes_the_token, test_korean_trace_is_korean])
