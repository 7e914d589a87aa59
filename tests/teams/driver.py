"""The Teams :class:`PlatformDriver` for the shared contract tests (its workings are in ``teams_driver``).

The contract suite may load this file by path from anywhere, so its helper
modules (beside it, in a test folder that is no package) are made importable first.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from teams_driver import TeamsDriver  # noqa: E402

__all__ = ["TeamsDriver"]
