"""Customers: the shared clientele of every location, their search index and activity log."""
