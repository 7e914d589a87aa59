"""The confirmations plugin: destructive steps are announced and approved before anyone runs them."""

from warroom.plugins.confirmations.plugin import Confirmations
from warroom.plugins.confirmations.settings import ConfirmationsConfig

__all__ = ["Confirmations", "ConfirmationsConfig"]
