"""The test's "browser" for the sandbox's consent pages: open the authorize URL, press Allow or Deny
on the real HTML page, and hand back the redirect *without following it* (its Location is what a
user would paste, or what would reach linkdeck's loopback listener)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2

_FORM = re.compile(r"<form method='post' action='([^']+)' id='(allow|deny)'>(.*?)</form>", re.S)
_HIDDEN = re.compile(r"<input type='hidden' name='([^']+)' value='([^']*)'>")


def consent_form(page_url: str, html: str, decision: str) -> tuple[str, dict[str, str]]:
    """The action URL and hidden fields of the consent page's Allow or Deny form."""
    for action, form_id, inner in _FORM.findall(html):
        if form_id == decision:
            return urljoin(page_url, action), dict(_HIDDEN.findall(inner))
    raise AssertionError(f"no {decision} form on the page: {html[:300]}")


def approve(authorize_url: str, decision: str = "allow", user: str | None = None) -> httpx2.Response:
    """GET the consent page, submit Allow/Deny; the 302 (or the page) the server answers with."""
    with httpx2.Client(follow_redirects=False, timeout=10) as client:
        page = client.get(authorize_url)
        assert page.status_code == 200, page.text[:300]
        action, fields = consent_form(authorize_url, page.text, decision)
        if user:
            fields["user"] = user
        return client.post(action, data=fields)


async def approve_async(
    authorize_url: str, decision: str = "allow", user: str | None = None
) -> httpx2.Response:
    async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as client:
        page = await client.get(authorize_url)
        assert page.status_code == 200, page.text[:300]
        action, fields = consent_form(authorize_url, page.text, decision)
        if user:
            fields["user"] = user
        return await client.post(action, data=fields)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def oob_code(native_page_html: str) -> str:
    found = re.search(r"<code id='oauth-code'>([^<]+)</code>", native_page_html)
    assert found, native_page_html[:300]
    return found.group(1)
