"""Who may do what.

The rules follow the practice: the commander is the single point of contact,
so changes to the incident's course are theirs; the communicator owns what is
said to the outside. Until a role is filled, nobody is blocked by its absence
(the incident must still move), and admins from config may always act.
Everyone in an incident may record what they see and do.
"""

from __future__ import annotations

from warroom.core.errors import Denied, NotFound
from warroom.core.incident.people import Actor
from warroom.core.incident.state import COMMANDER, COMMUNICATOR, IncidentState


def can_see(actor: Actor, incident: IncidentState) -> bool:
    return not incident.private or actor.admin or actor.person_id in incident.members


def require_visible(actor: Actor, incident: IncidentState) -> None:
    # Same answer as for a missing incident, so private ones do not leak.
    if not can_see(actor, incident):
        raise NotFound(f"There is no incident {incident.reference}.")


def require_commander(actor: Actor, incident: IncidentState, what: str) -> None:
    """Changing status, severity or privacy, and resolving, are the commander's call."""
    commander = incident.roles.get(COMMANDER)
    if commander is None or commander == actor.person_id or actor.admin:
        return
    raise Denied(f"Only the incident commander can {what} on {incident.reference}; ask them in the channel.")


def require_communicator(actor: Actor, incident: IncidentState, what: str) -> None:
    """Stakeholder updates and the summary belong to the communicator (or the commander)."""
    holders = {incident.roles.get(COMMUNICATOR), incident.roles.get(COMMANDER)} - {None}
    if not holders or actor.person_id in holders or actor.admin:
        return
    raise Denied(f"Only the communicator or the commander can {what} on {incident.reference}.")


def require_may_assign(actor: Actor, incident: IncidentState, role: str) -> None:
    """A vacant role may be taken by anyone; a held one is handed over by its holder or the commander."""
    holder = incident.roles.get(role)
    if holder is None or holder == actor.person_id or actor.admin:
        return
    if incident.roles.get(COMMANDER) == actor.person_id:
        return
    raise Denied(f"The {role} role on {incident.reference} is held; only its holder or the commander can hand it over.")


def require_member(actor: Actor, incident: IncidentState, what: str) -> None:
    """Bringing people in is for those already working the incident (its commander is one of them)."""
    if actor.person_id in incident.members or actor.admin:
        return
    raise Denied(f"Only people working on {incident.reference} can {what}; join its channel or ask its commander.")
