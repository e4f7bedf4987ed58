#!/usr/bin/env python3
"""oauth-sim bench runs complete flows and reports its figures; it is a program, never a timed
test, so this only checks that it runs and that the figures are sane."""
import json

from taplib import oauth_sim, run

KEYS = ("flows", "seconds", "flows_per_sec", "us_per_flow", "traced_flows_per_sec", "peak_rss_kb")


def bench(*args):
    status, out, err = oauth_sim("bench", *args, timeout=120)
    assert status == 0, f"bench exited {status}: {err}"
    return out


def test_json_line_has_the_figures():
    out = bench("--flows", "100", "--json")
    figures = json.loads(out.splitlines()[-1])
    for key in KEYS:
        assert key in figures, key
    assert figures["flows"] == 100
    assert figures["seconds"] > 0 and figures["us_per_flow"] > 0
    assert abs(figures["flows_per_sec"] * figures["us_per_flow"] - 1e6) < 1e6 * 0.01, figures
    assert figures["traced_flows_per_sec"] > 0
    assert 1000 < figures["peak_rss_kb"] < 1024 * 1024, figures
    assert figures["messages_per_flow"] == 11, figures
    # which allocator the figures were made with (meson option mimalloc)
    assert figures["allocator"] == "glibc malloc" or figures["allocator"].startswith("mimalloc "), figures


def test_text_names_the_figures():
    out = bench("--flows", "20")
    for word in ("flows/s", "µs/flow", "messages/s", "peak RSS", "allocator: "):
        assert word in out, word
    assert not out.splitlines()[-1].startswith("{")


def test_memory_follows_live_state_not_history():
    # Expired codes and tokens are forgotten: after many flows the server holds what a few
    # hundred flows leave alive (refresh tokens live 14 days, a flow takes an hour).
    small = json.loads(bench("--flows", "50", "--json").splitlines()[-1])
    large = json.loads(bench("--flows", "2000", "--json").splitlines()[-1])
    assert small["live_records"] < large["live_records"] <= 14 * 24 * 2 + 10, large


def test_flows_is_checked():
    for bad in ("0", "-3", "many"):
        status, _, err = oauth_sim("bench", "--flows", bad)
        assert status == 2 and "flows" in err, (bad, err)


run([test_json_line_has_the_figures, test_text_names_the_figures,
     test_memory_follows_live_state_not_history, test_flows_is_checked])
