"""What the external draft leaves out: people, internal hosts and addresses, and what the operator lists.

Every rule finds its matches in the original text and the earliest rule wins
where matches overlap, so one rule's replacement is never rewritten by
another. Automatic redaction misses things and sometimes takes too much: the
external draft says so at the top and is only ever a draft for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from warroom.plugins.postmortem.settings import PostmortemSettings

Replace = Callable[[re.Match[str]], str | None]  # None: leave this match as it is

_EMAIL = re.compile(r"[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.IGNORECASE)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://([^\s/:?#]+)[^\s<>\"')\]]*(?<![.,;:!?])", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?::\d{1,5})?(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:/\d{1,3})?(?![\w:])", re.IGNORECASE)
_HOST = re.compile(
    r"(?<![\w@.-])(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<top>[a-z][a-z0-9-]*[a-z0-9]))(?::\d{1,5})?(?![\w-])",
    re.IGNORECASE,
)
_NUMBERED_HOST = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?(?![\w.-])")
_MENTION = re.compile(r"(?<![\w.+-])@\w(?:[\w.-]*\w)?(?::\w(?:[\w.-]*\w)?)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)\Z")

# Dotted words that are files or versions rather than hosts, and dashed words that are not servers.
_FILE_ENDINGS = frozenset(
    "py js ts tsx jsx go rs rb java kt c h cpp cs php sh ps1 sql json yaml yml toml ini cfg conf xml html css md "
    "txt log csv lock j2 tf tfvars env pem crt key service".split()
)
_NOT_HOSTS = frozenset({"utf-8", "utf-16", "utf-32", "sha-1", "sha-256", "sha-512", "x-509", "iso-8601", "http-2"})

HOST = "[internal host]"
ADDRESS = "[internal address]"
EMAIL = "[email address]"
LINK = "[internal link]"
SOMEONE = "a responder"


class Redactor:
    """Makes text fit for customers; ``people`` maps each person's name to how the draft refers to them."""

    def __init__(self, settings: PostmortemSettings, people: Mapping[str, str]) -> None:
        public = tuple(domain.lower().strip(".") for domain in settings.public_domains)

        def internal(host: str) -> bool:
            host = host.lower().rstrip(".")
            return not any(host == domain or host.endswith("." + domain) for domain in public)

        def unless_public(replacement: str, group: int) -> Replace:
            return lambda m: replacement if internal(m.group(group)) else None

        rules: list[tuple[re.Pattern[str], Replace]] = [
            (re.compile(rule.pattern), _fixed(rule.replacement)) for rule in settings.redact
        ]
        rules += [
            (_EMAIL, unless_public(EMAIL, 1)),
            (_URL, unless_public(LINK, 1)),
            (_IPV4, _fixed(ADDRESS)),
            (_IPV6, lambda m: ADDRESS if _looks_ipv6(m.group()) else None),
        ]
        rules += [(_word(name, mention=True), _fixed(wording)) for name, wording in _longest_first(people)]
        rules += [(_word(part, any_case=False), _fixed(wording)) for part, wording in _name_parts(people)]
        rules.append((_MENTION, _fixed(SOMEONE)))
        rules.append((_HOST, lambda m: HOST if m["top"].lower() not in _FILE_ENDINGS and internal(m["host"]) else None))
        rules += [(_word(service), _fixed(settings.service_wording)) for service in settings.internal_services]
        rules.append((_NUMBERED_HOST, lambda m: None if m.group().lower() in _NOT_HOSTS else HOST))
        self._rules = rules

    def __call__(self, text: str) -> str:
        chosen: list[tuple[int, int, str]] = []
        for pattern, replace in self._rules:
            for match in pattern.finditer(text):
                start, end = match.span()
                if start == end or any(start < e and s < end for s, e, _ in chosen):
                    continue
                replacement = replace(match)
                if replacement is not None:
                    chosen.append((start, end, replacement))
        parts, last = [], 0
        for start, end, replacement in sorted(chosen):
            sentence_start = _SENTENCE_START.search(text[:start]) is not None
            parts += [text[last:start], replacement[:1].upper() + replacement[1:] if sentence_start else replacement]
            last = end
        parts.append(text[last:])
        return "".join(parts)


def role_wording(role: str) -> str:
    return "the incident commander" if role == "commander" else f"the {role}"


def _fixed(replacement: str) -> Replace:
    return lambda _match: replacement


def _word(text: str, *, mention: bool = False, any_case: bool = True) -> re.Pattern[str]:
    """``text`` as a whole word (names may hold dots, dashes and apostrophes), not part of a host name."""
    at = "@?" if mention else ""
    return re.compile(rf"(?<![\w@.-]){at}{re.escape(text)}(?![\w-]|[.:]\w)", re.IGNORECASE if any_case else 0)


def _longest_first(people: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """Longer names first, so "Ann Lee" is one replacement rather than "Ann" and "Lee"."""
    return sorted(((name, wording) for name, wording in people.items() if name.strip()), key=lambda p: -len(p[0]))


def _name_parts(people: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """Each part of a longer name alone, written as in the name: "Will" is a name where "will" is a word."""
    for name, wording in people.items():
        parts = name.split()
        if len(parts) > 1:
            yield from ((part, wording) for part in parts if len(part) >= 3)


def _looks_ipv6(text: str) -> bool:
    """Clock times like 14:02:11 are not addresses: an address has a hex letter or ``::``."""
    return "::" in text or any(ch in "abcdefABCDEF" for ch in text)
