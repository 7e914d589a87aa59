"""Matrix adapter: rooms, ``!incident`` commands, ✅/❌ confirmations, through matrix-nio."""

from typing import TYPE_CHECKING

from warroom.adapters.matrix.adapter import MatrixAdapter
from warroom.adapters.matrix.settings import MatrixSettings

__all__ = ["MatrixAdapter", "MatrixSettings"]

if TYPE_CHECKING:
    from warroom.core.adapter import AdapterFactory

    _factory: AdapterFactory = MatrixAdapter  # mypy checks that it fulfils the adapter contract
