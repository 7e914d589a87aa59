"""Shipped configuration defaults and templates, readable as package data."""
