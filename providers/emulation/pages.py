"""The HTML pages the emulated servers show in the user's browser: consent (Allow / Deny), the
out-of-band code page, error pages and the user's list of authorized apps.

Kept apart from the protocol code in :mod:`.oauth` because tests and the demo drive these pages
like a browser (``tests/sandbox_browser.py`` reads the forms by their ids), so their markup is an
interface of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import esc, page


def consent(
    action: str,
    network: str,
    host: str,
    app_name: str,
    website: str | None,
    scopes: Sequence[str],
    form_token: str,
) -> web.Response:
    """Allow and Deny, each a form POSTing the one-time ``form_token`` back to ``action``."""
    options = "".join(f"<option value='{esc(u.username)}'>{esc(u.username)}</option>" for u in people.USERS)
    scope_items = "".join(f"<li>{esc(s)}</li>" for s in scopes)
    site = f" (<a href='{esc(website)}'>{esc(website)}</a>)" if website else ""
    return page(
        f"Authorize {app_name} — {network} ({host})",
        f"<h1>Authorization required</h1><p><b>{esc(app_name)}</b>{site} would like permission "
        f"to access your {esc(network)} account on <b>{esc(host)}</b>.</p>"
        f"<p>It asks for:</p><ul id='scopes'>{scope_items}</ul>"
        f"<form method='post' action='{esc(action)}' id='allow'>"
        f"<input type='hidden' name='form_token' value='{esc(form_token)}'>"
        "<input type='hidden' name='decision' value='allow'>"
        f"<label>Signed in as <select name='user'>{options}</select></label> "
        "<button type='submit'>Authorize</button></form>"
        f"<form method='post' action='{esc(action)}' id='deny'>"
        f"<input type='hidden' name='form_token' value='{esc(form_token)}'>"
        "<input type='hidden' name='decision' value='deny'>"
        "<button type='submit'>Deny</button></form>",
    )


def code(value: str) -> web.Response:
    """Where an oob redirect lands: the code, for the user to copy into the app."""
    return page(
        "Authorization code",
        "<h1>Authorization code</h1><p>Copy this code and paste it into the application.</p>"
        f"<p><code id='oauth-code'>{esc(value)}</code></p>",
    )


def error(error_code: str, description: str, status: int = 400) -> web.Response:
    return page(
        "An error has occurred",
        f"<h1>An error has occurred</h1><p id='error'>{esc(error_code)}</p><p>{esc(description)}</p>",
        status,
    )


def authorized_apps(
    action: str, network: str, host: str, who: people.User, apps: Sequence[tuple[str, str, Sequence[str]]]
) -> web.Response:
    """The user's apps (client id, name, scopes), each with a Revoke form POSTing to ``action``."""
    rows = [
        f"<li><b>{esc(name)}</b> — {esc(' '.join(scopes))}"
        f"<form method='post' action='{esc(action)}'>"
        f"<input type='hidden' name='client_id' value='{esc(client_id)}'>"
        f"<input type='hidden' name='user' value='{esc(who.username)}'>"
        "<button type='submit'>Revoke</button></form></li>"
        for client_id, name, scopes in apps
    ]
    listing = f"<ul id='apps'>{''.join(rows)}</ul>" if rows else "<p id='apps'>No authorized apps.</p>"
    return page(
        f"Authorized apps — {network} ({host})",
        f"<h1>Authorized apps</h1><p>Signed in as {esc(who.username)} on {esc(host)}.</p>{listing}",
    )
