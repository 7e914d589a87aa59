"""The bundled plugins in a scripted console session: `warroom run` with no config, input piped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SESSION = [
    ":as alice",
    '/incident declare "Orders API returns 500s" --severity 2',
    ":join INC-1",
    "/incident role take commander",
    ":as bob",
    "/incident role take communicator",
    "I am going to restart orders-db-1 now",
    "/incident action restart orders-db-1",
    ":as alice",
    "/incident approve 1",
    ":as bob",
    "/incident procedure restore the orders DB from last night's backup",
    "/incident status mitigated",
    ":as alice",
    "/incident status mitigated",
    "/incident resolve Orders API healthy for 30 minutes",
    "/incident postmortem",
]


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "warroom.core.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_bundled_plugins_work_in_a_console_session(tmp_path: Path) -> None:
    result = run(tmp_path, "run", stdin="".join(line + "\n" for line in SESSION))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    channel = "[#inc-1-orders-api-returns-500s] Warroom:"
    # reminders: breathing on joining, a pause before the procedure, the team break at mitigation
    assert "Take 10 seconds to breathe" in out
    assert "restore the orders DB from last night's backup" in out
    assert "Everyone take a break of at least 15m" in out
    # confirmations: a destructive-sounding line gets a hint; the action waits for the commander
    assert "/incident action" in out
    assert f"{channel} ⚠️ bob wants to: restart orders-db-1" in out
    assert "Type “/incident approve 1”" in out
    assert "✅ Approved by alice: restart orders-db-1" in out
    # only the commander moves the status; bob is told so
    assert "Only the incident commander can change the status on INC-1" in out
    # postmortem: the draft, and the offer to schedule the review
    assert "# Post-mortem: Orders API returns 500s (INC-1)" in out
    assert "/incident postmortem review --in 3d" in out

    export = run(tmp_path, "timeline", "INC-1", "--format", "json")
    entries: list[dict[str, Any]] = json.loads(export.stdout)
    kinds = [(entry["kind"], entry["text"]) for entry in entries]
    assert ("confirmation", "Asked to: restart orders-db-1") in kinds
    assert ("confirmation", "Approved: restart orders-db-1") in kinds
    assert ("status", "Status investigating → mitigated") in kinds
    assert ("status", "Status mitigated → resolved") in kinds
    assert any(kind == "reminder" and "breathe" in text for kind, text in kinds)
    assert [kind for kind, _ in kinds].count("status") == 2  # bob's attempt changed nothing
