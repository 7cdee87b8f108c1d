"""``linkdeck keys new`` and ``linkdeck keys rotate``: team mode's secret key (no Textual).

The help text is the operator's manual for a rotation; the protocol and why it never leaves a
worker unable to open a secret are in :mod:`providers.secrets.rotation`.
"""

from __future__ import annotations

import argparse
import sys

from providers.errors import UsageError

KEYS_HELP = "team mode's secret key: make one, or re-seal every secret with a new one"
KEYS_EPILOG = """\
Team mode ([secrets] backend = "store" in config.toml) keeps tokens and client secrets in the
database, each sealed with AES-256-GCM under the team key. Every linkdeck of the team (each TUI,
each `linkdeck worker`, on every machine) needs the key, from one of:
  LINKDECK_SECRET_KEY   the key itself (several keys: separated by commas or spaces)
  [secrets] key_file    a file holding it, one key per line, mode 0600 (others may not read it)
The first key listed seals new secrets; every key listed opens them.

Set up a team:
  umask 077; linkdeck keys new > /etc/linkdeck/secret.key
  then in config.toml:  [secrets]  backend = "store"  key_file = "/etc/linkdeck/secret.key"
  and copy the same file (mode 0600) to every machine that runs linkdeck.

Rotate to a new key, with no moment where posts cannot be sent:
  1. linkdeck keys new                 prints NEW (the current key is OLD)
  2. on every machine, list NEW after OLD   (OLD still seals; both open)
  3. on every machine, list NEW first, OLD after it   (NEW seals; both still open)
  4. linkdeck keys rotate              on one machine: re-seals every secret with NEW,
                                       one row at a time, while workers keep sending
  5. when it says every secret is sealed with NEW, remove OLD everywhere
A key file is read at each use: change it by writing a new file (mode 0600) and renaming it over
the old one (mv), so no reader meets it half-written. Workers given LINKDECK_SECRET_KEY pick a
change up when restarted (restart them one at a time: the others keep sending). `linkdeck doctor` shows the
key in use and whether every stored secret opens with the keys listed.

Exit codes: 0 done; 1 some secrets are still sealed with an old key (a machine still lists it
first); 2 no key, a key that is not well-formed, a key file others can read, or secrets sealed with
a key that is not listed.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "keys",
        help=KEYS_HELP,
        description=KEYS_HELP,
        epilog=KEYS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    keys_sub = p.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)
    keys_sub.add_parser(
        "new",
        help="print a fresh secret key (ldk1:<id>:<key>) on standard output",
        description="Print a fresh secret key on standard output, e.g. `umask 077; linkdeck keys new "
        "> secret.key`. Nothing is stored: the key goes where you put it.",
    )
    keys_sub.add_parser(
        "rotate",
        help="re-seal every secret with the first key listed (step 4 of `linkdeck keys --help`)",
        description="Re-seal every team secret still sealed with another key with the first key of "
        "the key source, one row at a time; workers keep sending meanwhile. See `linkdeck keys "
        "--help` for the steps around it.",
    )


def keys(args: argparse.Namespace) -> int:
    if args.keys_command == "new":
        return _new()
    return _rotate()


def _new() -> int:
    from providers.secrets.keys import new_key

    key = new_key()
    print(key.written())
    if sys.stdout.isatty():
        print(
            f"(key {key.id}: keep it where only linkdeck's user can read it; "
            "`linkdeck keys --help` shows where it goes)",
            file=sys.stderr,
        )
    return 0


def _rotate() -> int:
    from providers import settings as settings_module
    from providers.secrets.rotation import rotate
    from providers.vault import Vault

    settings = settings_module.load()
    backend = Vault(settings).team
    if backend is None:
        raise UsageError(
            'secrets are in the OS keyring here ([secrets] backend = "keyring"): there is no team key '
            "to rotate",
            hint='`linkdeck keys --help` says how to set up team mode ([secrets] backend = "store").',
        )
    done = rotate(backend, progress=lambda name: print(f"  re-sealed {name}", file=sys.stderr))
    if not done.resealed and not done.old_keys:
        print(f"Nothing to re-seal: all {done.total} secrets are sealed with key {done.key_id}.")
        return 0
    old = f"key {', '.join(done.old_keys)}" if done.old_keys else "the old key"
    print(
        f"Re-sealed {done.resealed} secrets with key {done.key_id}; every secret is now sealed with "
        f"it. Remove {old} from every machine's key source."
    )
    return 0
