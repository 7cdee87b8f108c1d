"""Google Business Profile: its spec; see providers/networks/__init__.py."""
