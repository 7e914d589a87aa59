"""The HTTP endpoint of a Warroom process: health for operators, and routes for adapters that need them."""

from warroom.adapters.web.adapter import WebAdapter, WebSettings

__all__ = ["WebAdapter", "WebSettings"]
