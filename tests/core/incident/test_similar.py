"""Similar open incidents: shared rare title words still match; a word most incidents share does not."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from warroom.core.incident.similar import COMMON_WORD_INCIDENTS, OpenIncidentIndex
from warroom.core.incident.state import IncidentState

AT = datetime(2026, 1, 1, tzinfo=UTC)


def incident(number: int, title: str, affected: tuple[str, ...] = ()) -> IncidentState:
    return IncidentState(number, title, "incident", 2, "investigating", False, 1, AT, affected=list(affected))


def index_of(*incidents: IncidentState) -> OpenIncidentIndex:
    index = OpenIncidentIndex()
    for each in incidents:
        index.add(each)
    return index


def numbers(found: list[tuple[IncidentState, str]]) -> list[int]:
    return [other.id for other, _reason in found]


def crowd(index: OpenIncidentIndex, count: int, first: int = 100) -> None:
    """``count`` open incidents that all have "checkout" in their titles, and nothing else in common."""
    for number in range(first, first + count):
        index.add(incident(number, f"checkout svc{number} slow"))


def test_titles_sharing_rare_words_are_similar() -> None:
    index = index_of(incident(1, "Payments API timeouts"), incident(2, "Search is slow"))
    found = index.similar("payments api timeouts in EU", [], 0.5)
    assert numbers(found) == [1]
    assert found[0][1] == "similar title"


def test_rare_shared_words_still_match_among_many_incidents_with_a_common_word() -> None:
    index = index_of(incident(1, "checkout payments-gateway timeouts"))
    crowd(index, 10 * COMMON_WORD_INCIDENTS)
    found = index.similar("Checkout payments-gateway timeouts again", [], 0.5)
    assert numbers(found) == [1]


def test_a_very_common_word_alone_flags_nothing() -> None:
    index = OpenIncidentIndex()
    crowd(index, COMMON_WORD_INCIDENTS + 1)
    assert index.similar("checkout", [], 0.5) == []
    assert index.similar("Checkout is down", [], 0.1) == []


def test_a_word_stays_distinctive_up_to_the_limit() -> None:
    index = OpenIncidentIndex()
    crowd(index, COMMON_WORD_INCIDENTS)
    assert len(index.similar("checkout", [], 0.3)) == COMMON_WORD_INCIDENTS
    index.add(incident(1, "checkout"))  # one more: now too common to tell incidents apart
    assert index.similar("checkout", [], 0.3) == []


def test_a_common_word_in_one_title_only_does_not_dilute_the_score() -> None:
    index = index_of(incident(1, "api latency"))
    crowd(index, COMMON_WORD_INCIDENTS + 1)
    assert numbers(index.similar("checkout api latency", [], 0.9)) == [1]


def test_resolving_incidents_makes_a_word_distinctive_again() -> None:
    index = OpenIncidentIndex()
    crowd(index, COMMON_WORD_INCIDENTS + 1)
    assert index.similar("checkout", [], 0.3) == []
    index.remove(incident(101, ""))
    assert len(index.similar("checkout", [], 0.3)) == COMMON_WORD_INCIDENTS


def test_shared_affected_systems_are_always_reported() -> None:
    index = OpenIncidentIndex()
    crowd(index, COMMON_WORD_INCIDENTS + 1)
    index.add(incident(1, "checkout down", affected=("db",)))
    found = index.similar("checkout slow", ["DB"], 0.5)
    assert found[0][0].id == 1 and found[0][1] == "also affects DB"


def test_declaring_with_a_common_word_stays_cheap_with_many_open_incidents() -> None:
    index = OpenIncidentIndex()
    crowd(index, 10_000)
    started = time.perf_counter()
    for _ in range(100):
        index.similar("checkout is down", [], 0.5)
    per_call = (time.perf_counter() - started) / 100
    assert per_call < 0.001  # it was about 5 ms before common words were left out
