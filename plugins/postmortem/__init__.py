"""The post-mortem plugin: drafts from the record, and a review a few days after resolution."""

from warroom.plugins.postmortem.plugin import Postmortem

__all__ = ["Postmortem"]
