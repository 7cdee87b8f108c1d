"""The command palette's linkdeck commands (ctrl+p): the modes, posting and scheduling, and for
each network its Link window (where this version links it), its card details and its Help page.
Textual adds its own (themes among them)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from providers import brokers, catalog, networks

if TYPE_CHECKING:
    from tui.app import LinkdeckApp

MODE_TITLES = {"accounts": "Accounts", "upload": "Upload", "posts": "Posts", "help": "Help"}


def commands(app: LinkdeckApp) -> Iterable[SystemCommand]:
    for mode, title in MODE_TITLES.items():
        yield SystemCommand(title, f"Switch to the {title} screen", partial(app.switch_mode, mode))
    yield SystemCommand("Post", "Choose a file and post it now (Upload)", partial(go_upload, app, False))
    yield SystemCommand("Schedule a post", "Upload, with the time box ready", partial(go_upload, app, True))
    ready = ready_brokers(app)
    for spec in catalog.all_networks():
        if networks.can_link(spec.id):
            link = partial(app.start_link, spec.id)
            yield SystemCommand(f"Link {spec.name}", f"Open the Link window for {spec.name}", link)
        for route in brokers.routes_to(spec.id):
            if route.broker.id in ready:
                via = partial(app.start_link, spec.id, via=route)
                said = route.refused or f"Link {spec.name} on {route.broker.name}'s linking page"
                yield SystemCommand(f"{route.label}: {spec.name}", said, via)
        details = partial(show_details, app, spec.id)
        yield SystemCommand(
            f"Details: {spec.name}", f"{spec.name}'s card: state, accounts, revocation", details
        )
        topic = partial(show_help, app, f"network:{spec.id}")
        yield SystemCommand(f"Help: {spec.name}", f"What {spec.name} needs and how linking works", topic)


def ready_brokers(app: LinkdeckApp) -> frozenset[str]:
    """The brokers whose key is set up (the keyring is asked once per broker)."""
    from providers.linking import stored_secrets
    from providers.overview import needs_setup

    found = brokers.brokers()
    stored = stored_secrets([b.id for b in found]) if found else frozenset()
    return frozenset(b.id for b in found if not needs_setup(b, app.ctx.settings, stored))


def show_details(app: LinkdeckApp, network_id: str) -> None:
    """The network's card details, over Accounts."""
    app.run_worker(_show_details(app, network_id), group="palette", exclusive=True)


async def _show_details(app: LinkdeckApp, network_id: str) -> None:
    from providers import overview
    from tui.dialogs.card_details import CardDetails

    await app.switch_mode("accounts")
    ctx = app.ctx
    card = next(c for c in overview.cards(ctx.settings, ctx.store, ctx.now()) if c.spec.id == network_id)
    await app.push_screen(CardDetails(card))


def show_help(app: LinkdeckApp, topic: str) -> None:
    app.run_worker(_show_help(app, topic), group="palette", exclusive=True)


async def _show_help(app: LinkdeckApp, topic: str) -> None:
    from tui.screens.help import HelpScreen

    await app.switch_mode("help")
    if isinstance(app.screen, HelpScreen):
        app.screen.show_topic(topic)


def go_upload(app: LinkdeckApp, schedule: bool) -> None:
    app.run_worker(_go_upload(app, schedule), group="palette", exclusive=True)


async def _go_upload(app: LinkdeckApp, schedule: bool) -> None:
    await app.switch_mode("upload")
    if schedule:
        found = app.screen.query("#upload-at")  # the time box of tui/widgets/upload_post.py
        if found:
            found.first().focus()
