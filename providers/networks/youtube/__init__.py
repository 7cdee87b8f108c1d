"""YouTube: its spec; see providers/networks/__init__.py."""
