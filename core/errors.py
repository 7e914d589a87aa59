"""Errors that become a friendly answer in chat instead of a traceback."""


class WarroomError(Exception):
    """Something the person can fix; ``str()`` is shown to them as is."""


class NotFound(WarroomError):
    pass


class Denied(WarroomError):
    pass


class Invalid(WarroomError):
    pass
