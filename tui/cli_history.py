"""``linkdeck import-history [NETWORK]``: networks' own post histories (Ayrshare's) into Posts,
each post once, marked as imported (providers.history). Also run after linking such an account."""

from __future__ import annotations

import argparse
import asyncio
import json

from providers import history


def import_history(args: argparse.Namespace) -> int:
    from providers import settings as settings_module
    from providers.store import Store
    from providers.vault import Vault

    settings = settings_module.load()
    with Store.open() as store:
        report = asyncio.run(history.import_history(store, Vault(settings), args.network))
    if args.json:
        print(json.dumps({"imported": report.imported, "known": report.known, "problems": report.problems}))
    else:
        print(report.summary())
    return 1 if report.problems else 0
