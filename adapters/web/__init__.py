"""The HTTP endpoint of a Warroom process: health for operators, and routes for adapters that need them."""

from .adapter import WebAdapter, WebSettings

__all__ = ["WebAdapter", "WebSettings"]
