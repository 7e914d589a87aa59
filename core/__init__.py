"""Warroom's platform-agnostic core: incidents, roles, timeline, storage and the command language."""
