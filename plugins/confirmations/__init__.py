"""The confirmations plugin: destructive steps are announced and approved before anyone runs them."""

from warroom.plugins.confirmations.plugin import Confirmations

__all__ = ["Confirmations"]
