"""Incidents as the core keeps them: their state, the one service that changes them, people and permissions,
and how they are rendered for chat and documents."""
