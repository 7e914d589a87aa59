"""Blameless-language hints: phrases that point at a person where the post-mortem should point at a system.

People under stress write "X forgot to…"; a review that repeats it teaches
everyone to hide mistakes. The hints are suggestions for the review, never
edits: the record itself must not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from warroom.core.plugin import Entry

FAULT = "Name the condition that let it happen (a missing check, an unclear runbook), not the person."
SLIP = "Ask what made the slip easy to make and hard to catch: the interface, a missing guard or review step."
JUDGEMENT = "Describe what happened and what the system allowed; a judgement of a person helps nobody fix it."
HINDSIGHT = "Describe what was missing or hard to see at the time; nobody had the hindsight we have now."
SKIPPED = "Describe the step that nothing enforced or automated (a checklist item, a check in CI, an alert)."
CONFIGURED = "Describe the system condition instead of the person."

_A = "['’]"  # chat apps turn apostrophes curly
_RULES: tuple[tuple[str, str], ...] = (
    (rf"\b\w+{_A}s? fault\b|\bat fault\b", FAULT),
    (r"(?<!git )\bblam(?:e|ed|es|ing)\b", FAULT),
    (r"\bhuman error\b|\buser error\b|\bfat[- ]?finger(?:ed|s)?\b", SLIP),
    (r"\bcareless(?:ly|ness)?\b|\bsloppy\b|\bnegligen(?:t|ce)\b|\bincompetent\b", JUDGEMENT),
    (r"\bidiot(?:ic|s)?\b|\bstupid\b", JUDGEMENT),
    (rf"\b(?:screwed|messed|f[u*]cked) up\b|\bdropped the ball\b|\bwasn{_A}t paying attention\b", JUDGEMENT),
    (rf"\bshould(?: have|{_A}ve) (?:known|checked|noticed|caught|seen|tested|asked)\b", HINDSIGHT),
    (rf"\bforgot to\b|\bforgotten to\b|\bdid(?:n{_A}t| not) bother\b|\bneglected to\b", SKIPPED),
)
_QUIET_KINDS = frozenset({"channel", "status", "severity", "role", "invite", "key", "attachment"})
_BOT = "Warroom"
_CONTEXT = 50


@dataclass(frozen=True, slots=True)
class Hint:
    seq: int
    at: datetime
    author: str
    kind: str
    phrase: str
    excerpt: str
    suggestion: str


class Reviewer:
    """Finds blaming phrases: the built-in ones plus ``extra`` patterns from config."""

    def __init__(self, extra: Sequence[str] = ()) -> None:
        rules = [(re.compile(pattern, re.IGNORECASE), suggestion) for pattern, suggestion in _RULES]
        rules.extend((re.compile(pattern, re.IGNORECASE), CONFIGURED) for pattern in extra)
        self._rules = rules

    def phrases(self, text: str) -> list[tuple[re.Match[str], str]]:
        found = [(match, suggestion) for rule, suggestion in self._rules for match in rule.finditer(text)]
        return sorted(found, key=lambda pair: pair[0].start())

    def review(self, entries: Iterable[Entry]) -> list[Hint]:
        """One hint per blaming phrase in what people wrote (the bot's own lines and pasted logs are skipped)."""
        hints: list[Hint] = []
        for entry in entries:
            if entry.kind in _QUIET_KINDS or entry.author == _BOT:
                continue
            hints += [
                Hint(entry.seq, entry.at, entry.author, entry.kind, m.group(), _excerpt(entry.text, m), suggestion)
                for m, suggestion in self.phrases(entry.text)
            ]
        return hints


def _excerpt(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - _CONTEXT), min(len(text), match.end() + _CONTEXT)
    clipped = " ".join(text[start:end].split())
    return ("…" if start else "") + clipped + ("…" if end < len(text) else "")
