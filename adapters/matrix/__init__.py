"""Matrix adapter: rooms, ``!incident`` commands, ✅/❌ confirmations, through matrix-nio."""

from .adapter import MatrixAdapter
from .settings import MatrixSettings

__all__ = ["MatrixAdapter", "MatrixSettings"]
