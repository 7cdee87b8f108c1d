"""``linkdeck store migrate --to postgresql://…``: one user's SQLite store and keyring secrets
copied into an empty team database (no Textual; the work is :mod:`providers.moving`'s)."""

from __future__ import annotations

import argparse
from pathlib import Path

STORE_HELP = "the store itself: move a single user's SQLite store up to a team's PostgreSQL"
MIGRATE_EPILOG = """\
Copies the SQLite store (accounts with their brands and targets, posts, deliveries, registered apps,
the avatar cache) and the OS keyring's tokens and client secrets of its accounts and apps into an
empty PostgreSQL database, ids kept. The secrets are sealed with the team key, which must be set
first (LINKDECK_SECRET_KEY, or [secrets] key_file: see `linkdeck keys --help`). Each table is
counted at both ends afterwards. The SQLite file and the keyring are only read, never changed.

Then point every linkdeck of the team at the database (LINKDECK_DATABASE_URL or [store] url).

Exit codes: 0 copied and counted; 1 the counts differ; 2 no team key, a target that is not an
empty PostgreSQL database, or a store that cannot be read or reached.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("store", help=STORE_HELP, description=STORE_HELP)
    store_sub = p.add_subparsers(dest="store_command", metavar="SUBCOMMAND", required=True)
    m = store_sub.add_parser(
        "migrate",
        help="copy this SQLite store and its keyring secrets into an empty team database",
        description="Copy this SQLite store and its keyring secrets into an empty team database.",
        epilog=MIGRATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    m.add_argument("--to", required=True, metavar="URL", help="the team database: a postgresql:// address")
    m.add_argument("--from", dest="source", metavar="FILE", help="the SQLite store (default: linkdeck's own)")


def store(args: argparse.Namespace) -> int:
    from providers import moving, paths
    from providers import settings as settings_module

    source = Path(args.source).expanduser() if args.source else paths.database_file()
    moved = moving.migrate(args.to.strip(), source, settings_module.load())
    print(f"Copied {moved.source} into {moved.target}:")
    width = max(len(c.table) for c in moved.counted)
    for c in moved.counted:
        verdict = "ok" if c.source == c.target else "DIFFERENT"
        print(f"  {c.table:<{width}}  {c.source:>6} to copy, {c.target:>6} in the team database  {verdict}")
    print(f"{moved.secrets} keyring secrets sealed with key {moved.key_id}; each opened back and compared.")
    if not moved.matches:
        print("linkdeck: the counts differ: the team database is not a whole copy; do not use it yet.")
        return 1
    print(
        f"{moved.source} and the keyring are unchanged. Point every linkdeck of the team at the "
        "database: LINKDECK_DATABASE_URL or [store] url in config.toml, with the same team key."
    )
    return 0
