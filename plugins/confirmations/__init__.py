"""The confirmations plugin: destructive steps are announced and approved before anyone runs them."""

from .plugin import Confirmations
from .settings import ConfirmationsConfig

__all__ = ["Confirmations", "ConfirmationsConfig"]
