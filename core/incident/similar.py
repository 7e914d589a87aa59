"""Finding open incidents that look like the one being declared.

Two teams working one incident unaware of each other is what public channels
prevent; this points it out at declaration. An inverted index over title words
and affected systems keeps the check cheap however many incidents are open.

A title word shared by many open incidents (``checkout`` at a shop where half the
incidents are about checkout) tells them apart no better than a stopword, and
scoring every incident that has it would make each declaration slower the more
incidents are open. So a word in more than :data:`COMMON_WORD_INCIDENTS` open
incidents is left out of the score, like a stopword: each declaration scores at
most that many incidents per title word.
"""

from __future__ import annotations

import re

from warroom.core.incident.state import IncidentState

_WORD = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_STOPWORDS = frozenset(
    "a an and are as at be by down for from in is it of on or the to up with not no "
    "issue issues problem problems error errors incident outage broken failing fails".split()
)


COMMON_WORD_INCIDENTS = 50


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(title.lower()) if w not in _STOPWORDS and len(w) > 1)


class OpenIncidentIndex:
    def __init__(self) -> None:
        self._words: dict[str, set[int]] = {}
        self._systems: dict[str, set[int]] = {}
        self._incidents: dict[int, IncidentState] = {}
        self._indexed: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def add(self, incident: IncidentState) -> None:
        """Index an open incident, or re-index one whose affected systems changed."""
        self.remove(incident)
        words, systems = title_words(incident.title), frozenset(s.lower() for s in incident.affected)
        self._incidents[incident.id] = incident
        self._indexed[incident.id] = (words, systems)
        for word in words:
            self._words.setdefault(word, set()).add(incident.id)
        for system in systems:
            self._systems.setdefault(system, set()).add(incident.id)

    def remove(self, incident: IncidentState) -> None:
        indexed = self._indexed.pop(incident.id, None)
        if indexed is None:
            return
        del self._incidents[incident.id]
        for word in indexed[0]:
            self._words[word].discard(incident.id)
        for system in indexed[1]:
            self._systems[system].discard(incident.id)

    def incidents(self) -> list[IncidentState]:
        return list(self._incidents.values())

    def similar(self, title: str, affected: list[str], threshold: float) -> list[tuple[IncidentState, str]]:
        """Open incidents sharing affected systems or enough title words, with the reason, best first.

        The title score is the share of words the titles have in common (shared ÷ all), counting
        only the words that are not too common to tell incidents apart.
        """
        candidates: dict[int, tuple[float, str]] = {}
        for system in affected:
            for incident_id in self._systems.get(system.lower(), ()):
                candidates[incident_id] = (2.0, f"also affects {system}")
        words = self._distinctive(title_words(title))
        shared: dict[int, int] = {}
        for word in words:
            for incident_id in self._words.get(word, ()):
                shared[incident_id] = shared.get(incident_id, 0) + 1
        for incident_id, count in shared.items():
            score = count / len(words | self._distinctive(self._indexed[incident_id][0]))
            if score >= threshold and incident_id not in candidates:
                candidates[incident_id] = (score, "similar title")
        ranked = sorted(candidates.items(), key=lambda item: (-item[1][0], -item[0]))
        return [(self._incidents[incident_id], reason) for incident_id, (_score, reason) in ranked]

    def _distinctive(self, words: frozenset[str]) -> set[str]:
        """The words in at most COMMON_WORD_INCIDENTS open incidents."""
        return {word for word in words if len(self._words.get(word, ())) <= COMMON_WORD_INCIDENTS}
