"""linkdeck's engine: catalog, auth, vault, store, media, publishing.

Nothing in this package imports Textual or ``tui`` (an import-linter contract enforces it), so the
CLI, the worker and the tests can use it without a terminal UI.
"""
