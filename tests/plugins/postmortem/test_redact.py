"""The post-mortem's text rules on their own: what the external draft leaves out, which phrases blame people."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from warroom.core.plugin import Entry
from warroom.plugins.postmortem.language import Reviewer
from warroom.plugins.postmortem.redact import Redactor
from warroom.plugins.postmortem.settings import PostmortemSettings

PEOPLE = {"Ann Lee": "the incident commander", "Will Smith": "a responder", "bob": "the communicator"}


def redact(text: str, **settings: Any) -> str:
    return Redactor(PostmortemSettings.model_validate(settings), PEOPLE)(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ops-team@corp.example.com now", "mail [email address] now"),
        ("see https://grafana.corp.example.com/d/x?y=1.", "see [internal link]."),
        ("timeouts from 10.0.3.7:5432 and 10.1.0.0/16", "timeouts from [internal address] and [internal address]"),
        ("v6 fe80::1ff:fe23:4567:890a down", "v6 [internal address] down"),
        ("restarted db-1.internal.example.com.", "restarted [internal host]."),
        ("api-3 and web-12a are back", "[internal host] and [internal host] are back"),
        (
            "Ann Lee restarted it; ask @bob or Lee",
            "The incident commander restarted it; ask the communicator or the incident commander",
        ),
        ("ping @carol.x and @dan:matrix.org.", "ping a responder and a responder."),
        ("ask ann lee on ann.example.com", "ask the incident commander on [internal host]"),
    ],
)
def test_people_hosts_addresses_and_links_are_left_out(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "errors since 14:02:11, fixed in 14:30",
        "the bug was in app.py and config.yaml, fixed in v4.2.1",
        "we will retry; UTF-8 and utf-8 and sha-256 are fine",
        "INC-3 was the same",
    ],
)
def test_ordinary_words_times_files_and_versions_stay(text: str) -> None:
    assert redact(text) == text


def test_operator_rules_come_first_and_their_replacement_is_not_redacted_again() -> None:
    rules = [{"pattern": r"(?i)ledger-db\S*", "replacement": "our payments database (status.example.com)"}]

    text = redact("ledger-db.prod.example.com was slow", redact=rules, public_domains=["status.example.com"])
    assert text == "Our payments database (status.example.com) was slow"


def test_public_domains_and_internal_services() -> None:
    settings = {"public_domains": ["example.com"], "internal_services": ["ledgerd"], "service_wording": "a service"}

    assert redact(
        "ledgerd failed; see https://status.example.com, support@example.com or status.example.com:443, "
        "not db.corp.net or @bob:matrix.org",
        **settings,
    ) == (
        "A service failed; see https://status.example.com, support@example.com or status.example.com:443, "
        "not [internal host] or a responder"
    )


@pytest.mark.parametrize(
    "text",
    [
        "it was Dave's fault",
        "human error on the deploy",
        "she should have known about the flag",
        "careless config change",
        "somebody screwed up the DNS",
        "don't blame the new guy",
        "he forgot to drain the node",
        "they didn’t bother to check",
    ],
)
def test_blaming_phrases_are_found(text: str) -> None:
    assert Reviewer().phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "the deploy pipeline has no migration check",
        "git blame shows the change from March",
        "a blameless review on Friday",
        "the load balancer faulted under load",
        "don't forget to drain the node first",
        "lazy loading of images",
    ],
)
def test_neutral_text_is_not_flagged(text: str) -> None:
    assert Reviewer().phrases(text) == []


def test_configured_phrases_count_and_bot_lines_are_skipped() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        Entry(1, at, "message", "Bob", "schuld van Dave", {}, False, None),
        Entry(2, at, "reminder", "Warroom", "nobody should have known this", {}, False, None),
        Entry(3, at, "attachment", "Bob", "blame: line 3", {}, False, None),
    ]

    hints = Reviewer([r"\bschuld van\b"]).review(entries)
    assert [(h.seq, h.phrase) for h in hints] == [(1, "schuld van")]


def test_review_delays_read_as_people_write_them() -> None:
    assert PostmortemSettings.model_validate({"review_after": "1d12h"}).review_after.total_seconds() == 36 * 3600
