"""Matrix adapter: rooms, ``!incident`` commands, ✅/❌ confirmations, through matrix-nio."""

from warroom.adapters.matrix.adapter import MatrixAdapter
from warroom.adapters.matrix.settings import MatrixSettings

__all__ = ["MatrixAdapter", "MatrixSettings"]
