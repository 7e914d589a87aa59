"""The benchmark runs end to end (at --quick sizes) and reports its numbers; no speed is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

from tests import REPO

BENCH = REPO / "bench" / "run.py"
KEYS = (
    "throughput_per_s",
    "p50_us",
    "p99_us",
    "rss_mb",
    "brief_p50_ms",
    "brief_p99_ms",
    "status_p50_ms",
    "status_p99_ms",
    "log_p50_us_1_incident",
    "log_p50_us_many_incidents",
    "flat_ratio",
    "commit_before_reply_checked",
    "declare_p50_us_shared",
    "declare_p50_us_distinct",
    "declare_shared_ratio",
    "postmortem_render_ms",
    "postmortem_logs_during",
    "postmortem_log_p50_ms",
    "postmortem_log_p99_ms",
    "postmortem_log_max_ms",
)


def test_quick_benchmark_reports_every_number() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for key in KEYS:
        assert isinstance(results[key], int | float) and results[key] > 0, key
    assert results["ok"] is True
    assert results["commit_before_reply_violations"] == 0
    assert results["timeline_entries"] >= results["sizes"]["entries"]
    assert results["incidents_open"] == results["sizes"]["incidents"]
    assert results["declare_open_sharing_word"] == results["sizes"]["incidents"]
    assert results["gc"] == "tuned"
    assert set(results["targets"]) <= set(results)
