"""The one command language every platform speaks."""
