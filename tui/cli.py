"""The ``linkdeck`` command line (stable: tests and scripts rely on it).

Plain argparse so that non-TUI commands start fast: Textual is imported only by the commands that
show it. Exit codes: 0 ok, 1 a network refused or a check failed, 2 usage or setup error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from providers.errors import LinkdeckError, UsageError
from tui.cli_keys import add_parser as add_keys
from tui.cli_store import add_parser as add_store

Handler = Callable[[argparse.Namespace], int]
MAX_LATENCY = 60.0  # seconds the sandbox may add to each reply: more is a typing mistake
LINK_EPILOG = "(the broker networks, from the catalog)"


def link_epilog() -> str:
    """What ``link --help`` says about networks linked through a broker with one API key (for
    users with no developer apps of their own), from the catalog, read only when help is shown."""
    from providers import catalog
    from providers.spec import AuthKind

    brokers = [spec for spec in catalog.all_networks() if spec.auth is AuthKind.API_KEY]
    lines = []
    for spec in brokers:
        lines.append(
            f"{spec.name} route: `linkdeck config set-secret {spec.id}` (your {spec.name} API key), then "
            f"`linkdeck link {spec.id}`: it asks for a profile (brand) title and the network to link, "
            f"and shows {spec.name}'s linking page. {spec.summary} Each network linked that way is its "
            f"own account: `post --to {spec.id}` posts to all of them, `--to {spec.id}:HANDLE` to one."
        )
        if spec.broker is not None:
            example = next(iter(spec.broker.offers), "NETWORK")
            lines.append(
                f"Or from the network's side: `linkdeck link {example} --via {spec.id}` (the same, "
                f"with the network already chosen). Through {spec.name}: {', '.join(spec.broker.offers)}."
            )
    return "\n".join(lines)


class _CatalogEpilog(argparse.HelpFormatter):
    def add_text(self, text: str | None) -> None:
        super().add_text(link_epilog() if text == LINK_EPILOG else text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkdeck",
        description="Manage the social accounts you publish to, and publish to them.",
        epilog="Without a command, linkdeck opens the Accounts screen.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text)

    p = add("serve", "run the TUI in a browser tab (prints the URL with its access token)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    p.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    p.add_argument("--max-sessions", type=int, default=4, help="concurrent browser sessions (default 4)")
    p.add_argument("--demo", action="store_true", help="the demo (sandbox networks) in a browser tab")

    add("demo", "the TUI against the built-in sandbox networks (no internet needed)")

    p = add("sandbox", "run only the sandbox networks server; prints its base URL")
    p.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    p.add_argument("--latency", type=float, default=0.0, metavar="S", help="seconds added to each reply")

    p = add("networks", "the catalog: id, name, auth, settings_url, limits, status")
    p.add_argument("--json", action="store_true", help="one JSON document")

    p = add("accounts", "linked accounts and their state")
    p.add_argument("--json", action="store_true", help="one JSON document")
    p.add_argument("--brand", metavar="NAME", help="only the accounts of this brand")

    p = add("link", "link an account")
    p.epilog, p.formatter_class = LINK_EPILOG, _CatalogEpilog
    p.add_argument("network", metavar="NETWORK")
    p.add_argument("--instance", metavar="URL", help="server address for per-instance networks")
    p.add_argument("--no-browser", action="store_true", help="print the URL, read the redirect URL or code")
    p.add_argument(
        "--brand",
        metavar="NAME",
        help="the brand the account goes into (default: the default brand; an Ayrshare account "
        "goes into the brand named like its Ayrshare profile)",
    )
    p.add_argument(
        "--via",
        metavar="BROKER",
        help="link NETWORK through a broker's linking page with its API key (the brokers: below)",
    )

    p = add("import-history", "import linked accounts' post histories (Ayrshare's) into Posts, once each")
    p.add_argument("network", metavar="NETWORK", nargs="?", help="only this network's accounts")
    p.add_argument("--json", action="store_true", help="one JSON document")

    p = add("unlink", "revoke and forget an account; its scheduled posts are held")
    p.add_argument("network", metavar="NETWORK")
    p.add_argument("--account", metavar="ID", help="which account (id or handle) when several are linked")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--forget",
        action="store_true",
        help="when the token cannot be read (no keyring, a locked one): forget the account here "
        "without revoking its access",
    )

    p = add("check", "media and caption verdicts per network (no file: a text post's caption)")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--to", metavar="N,N", help="networks to judge (default: all)")
    p.add_argument("--caption", metavar="TEXT")
    p.add_argument("--json", action="store_true")

    p = add("post", "publish now or at a time")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--to", metavar="N,N", help="networks (NETWORK or NETWORK:HANDLE), comma-separated")
    p.add_argument("--brand", metavar="NAME", help="only this brand's accounts; without --to, all of them")
    p.add_argument("--caption", metavar="TEXT")
    p.add_argument(
        "--story",
        action="store_true",
        help="to the Story of the accounts whose network has Stories (Instagram: one photo or video)",
    )
    p.add_argument(
        "--at",
        metavar="WHEN",
        help='when to publish, in local time: "in 2h", "09:00", "tomorrow 09:00", "fri 14:30"; '
        "or ISO-8601 with a UTC offset",
    )
    p.add_argument(
        "--no-share",
        action="store_true",
        help="send only to --to, not also to the Facebook Page Instagram shares to",
    )
    p.add_argument("--json", action="store_true")

    from tui.cli_brands import add_parser as add_brands

    add_brands(sub)

    p = add("queue", "scheduled, held, sent and failed posts")
    p.add_argument("--json", action="store_true")

    p = add("worker", "run due scheduled posts")
    p.add_argument("--once", action="store_true", help="run what is due, then exit")

    add("doctor", "check keyring or team secrets, config, redirect URIs, clock, connectivity")

    add_keys(sub)  # `keys new|rotate`, with the operator's rotation steps in its help
    add_store(sub)  # `store migrate --to postgresql://…`

    p = add("config", "configuration")
    config_sub = p.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    s = config_sub.add_parser(
        "set-secret",
        help="store a developer app's client secret (or, for `staging`, the media staging "
        "bucket's secret key) in the keyring (stdin)",
    )
    s.add_argument("network", metavar="NETWORK", help="a network id, or `staging`")
    s = config_sub.add_parser(
        "set", help="write a network's setting into config.toml, e.g. `config set x client_id ID`"
    )
    s.add_argument("network", metavar="NETWORK")
    s.add_argument(
        "key",
        metavar="KEY",
        help="client_id or base_url; for instagram, share_to_facebook (a linked Page's id, or off)",
    )
    s.add_argument("value", metavar="VALUE")
    return parser


def _need_terminal() -> None:
    """The screens draw with escape codes and read keys: piped (``linkdeck | head``) or fed from a
    file they would print escapes no one can read, so say so instead."""
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        raise UsageError(
            "linkdeck's screens need a terminal, and this one's input or output is a pipe or a file",
            hint="Run it in a terminal, `linkdeck serve` for a browser tab, or a text command such as "
            "`linkdeck accounts` or `linkdeck networks` (`linkdeck --help` lists them).",
        )


def _run_tui(args: argparse.Namespace) -> int:
    _need_terminal()
    from tui.app import LinkdeckApp

    LinkdeckApp().run()
    return 0


def _serve(args: argparse.Namespace) -> int:
    from tui.serve import serve

    serve(
        args.host, args.port, allow_remote=args.allow_remote, max_sessions=args.max_sessions, demo=args.demo
    )
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox networks server until Ctrl-C; its base URL is the only line on stdout."""
    from providers.errors import SetupError
    from providers.sandbox import run

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535 (0: a free port), not {args.port}")
    if not 0 <= args.latency <= MAX_LATENCY:  # also refuses nan, which no comparison holds for
        raise UsageError(f"--latency must be from 0 to {MAX_LATENCY:g} seconds, not {args.latency}")
    try:
        run(args.port, args.latency, log=lambda line: print(line, file=sys.stderr, flush=True))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SetupError(f"the sandbox could not listen on 127.0.0.1:{args.port}: {reason}") from None
    except KeyboardInterrupt:
        pass
    return 0


def _networks(args: argparse.Namespace) -> int:
    from tui.cli_commands import networks

    return networks(args)


def _accounts(args: argparse.Namespace) -> int:
    from tui.cli_commands import accounts

    return accounts(args)


def _unlink(args: argparse.Namespace) -> int:
    from tui.cli_commands import unlink

    return unlink(args)


def _link(args: argparse.Namespace) -> int:
    from tui.cli_link import link

    return link(args)


def _demo(args: argparse.Namespace) -> int:
    _need_terminal()
    from tui.demo import run

    return run()


def _check(args: argparse.Namespace) -> int:
    from tui.cli_commands_check import check

    return check(args)


def _doctor(args: argparse.Namespace) -> int:
    from tui.doctor import run

    return run()


def _config(args: argparse.Namespace) -> int:
    from tui.cli_commands import set_secret, set_value

    return set_secret(args) if args.config_command == "set-secret" else set_value(args)


HANDLERS: dict[str | None, Handler] = {
    None: _run_tui,
    "serve": _serve,
    "demo": _demo,
    "sandbox": _sandbox,
    "networks": _networks,
    "accounts": _accounts,
    "link": _link,
    "unlink": _unlink,
    "check": _check,
    "brands": lambda args: __import__("tui.cli_brands", fromlist=["brands"]).brands(args),
    "post": lambda args: __import__("tui.cli_commands_post", fromlist=["post"]).post(args),
    "queue": lambda args: __import__("tui.cli_commands_queue", fromlist=["queue"]).queue(args),
    "worker": lambda args: __import__("tui.cli_commands_queue", fromlist=["worker"]).worker(args),
    "doctor": _doctor,
    "config": _config,
    "keys": lambda args: __import__("tui.cli_keys", fromlist=["keys"]).keys(args),
    "import-history": lambda args: __import__("tui.cli_history", fromlist=["x"]).import_history(args),
    "store": lambda args: __import__("tui.cli_store", fromlist=["store"]).store(args),
}


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """Text arguments that are not valid UTF-8 (a shell passes any bytes; Python keeps the bad ones
    as lone surrogates) are refused by name before any command runs: a caption, a network id or a
    server address of broken bytes can only be a mistake. File names may be any bytes, as the
    file system allows."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if name == "files" or not all(isinstance(v, str) for v in values):
            continue
        for text in values:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                option = name if name == "network" else f"--{name.replace('_', '-')}"
                raise UsageError(f"{option} is not valid UTF-8 text; check the terminal's encoding") from None


def _start_logging(command: str | None) -> None:
    """The log file, in the data folder, and config.toml: a folder that cannot be used or a config
    file with a wrong value stops every command with one message naming it, except ``doctor``,
    which reports them among its checks."""
    from providers import logs, paths, settings

    try:
        logs.setup()
    except paths.FolderUnusable:
        if command != "doctor":
            raise
    if command != "doctor":
        settings.load()  # every value of config.toml checked, whichever parts this command reads


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _refuse_undecodable(args)
        _start_logging(args.command)
        return HANDLERS[args.command](args)
    except LinkdeckError as exc:
        print(f"linkdeck: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("linkdeck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`linkdeck networks | head`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def console_main() -> None:  # pragma: no cover - the console script
    sys.exit(main())


__all__ = ["UsageError", "build_parser", "main"]


if __name__ == "__main__":
    console_main()
