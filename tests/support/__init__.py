"""Plain helpers the tests share (no tests and no fixtures here; the fixtures are in
tests/conftest.py and tests/auth/conftest.py).

- :mod:`tests.support.ports`: a port or a bound socket from the OS.
- :mod:`tests.support.cli`: ``linkdeck`` as a subprocess (``CLI``, ``ROOT``, ``cli_env``,
  ``run_cli``, ``run_module_cli``).
- :mod:`tests.support.processes`: ``linkdeck sandbox`` in its own process (``SandboxProcess``),
  stopping servers a test started, waiting for a condition, the pid of an ended process.
- :mod:`tests.support.linking`: accounts linked through the real OAuth flow against the sandbox,
  the settings and vault that flow uses, the statuses an emulated server holds.
- :mod:`tests.support.tui`: the Pilot terminal size, cards by network, pausing until a condition.
- :mod:`tests.support.keyrings`: an in-memory keyring backend.
- :mod:`tests.support.http`: a local aiohttp server answering every path with one handler.
- :mod:`tests.support.bluesky`: the EXIF-rotated photo and the delivery stand-in the Bluesky tests use.

Older single-purpose helpers stay where they were: tests/link_driver.py (driving link steps),
tests/sandbox_browser.py (the consent-page "browser"), tests/seed.py, tests/scenarios.py,
tests/cassettes.py, tests/media_corpus.py; the peers the tests run are in tests/servers/.
"""
