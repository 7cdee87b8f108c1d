"""Pixelfed: its spec, sign-in, publisher and sandbox emulator; see providers/networks/__init__.py."""
