"""The HTTP endpoint of a Warroom process: health for operators, and routes for adapters that need them."""

from typing import TYPE_CHECKING

from warroom.adapters.web.adapter import WebAdapter, WebSettings

__all__ = ["WebAdapter", "WebSettings"]

if TYPE_CHECKING:
    from warroom.core.adapter import AdapterFactory, WebServer

    _factory: AdapterFactory = WebAdapter  # mypy checks that it fulfils the adapter contract
    _server: type[WebServer] = WebAdapter
