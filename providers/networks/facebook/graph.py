"""What linking and publishing to Facebook share: the Graph base URL (one version,
:data:`~.spec.GRAPH_VERSION`), Graph's error body, and the Pages a person can post to.

Graph errors come as ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``
(the recorded bodies in tests/fixtures/recorded/facebook and /_reported), mostly with HTTP 400
whatever the cause; so the code and subcode decide, never the status or a search in the text.

The Pages: ``/me/accounts`` (the Pages the person has a role on) and, for Pages a Business
portfolio owns, ``/me/businesses`` → ``/{business}/owned_pages`` and ``/client_pages`` (Postiz
walks both: networks-2026.md §1a). Every list is paged (``paging.next``). Each Page comes with its
own Page access token, which only the vault's token document keeps (``page_tokens``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from providers.networks.facebook.spec import GRAPH

if TYPE_CHECKING:
    import httpx2

NAME = "Facebook"
PAGE_FIELDS = "id,name,access_token,tasks"
MAX_PAGES = 20  # pages of a list followed at most (100 Pages each)
PAGE_TOKENS = "page_tokens"  # the token document's key: {page id: Page access token}
PROOFS = "appsecret_proofs"  # the token document's key: {"me" or page id: appsecret_proof}
APP_ID = "app_id"  # the token document's key: the Meta app's id (video uploads go to /{app-id}/uploads)


def bearer(token: str) -> dict[str, str]:
    """The token in a header (Graph takes ``Authorization: Bearer``), never in a URL that could
    be logged."""
    return {"Authorization": f"Bearer {token}"}


def appsecret_proof(secret: str, token: str) -> str:
    """HMAC-SHA256 of ``token`` keyed by the app secret: what an app with "Require App Secret"
    must send with every call (developers.facebook.com/docs/graph-api/securing-requests). Made
    at link time, where the secret is at hand, and kept in the vault's token document."""
    import hashlib
    import hmac

    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def proof_for(document: Mapping[str, Any], key: str) -> dict[str, str]:
    """``{"appsecret_proof": …}`` for the user token (``"me"``) or a Page's, when one was made."""
    proofs = document.get(PROOFS)
    found = proofs.get(key) if isinstance(proofs, dict) else None
    return {"appsecret_proof": found} if isinstance(found, str) and found else {}


def graph_url(path: str) -> str:
    return f"{GRAPH}/{path.lstrip('/')}"


@dataclass(frozen=True)
class GraphError:
    code: int | None
    subcode: int | None
    message: str
    kind: str = ""

    @property
    def key(self) -> str | None:
        """``"1390008"`` (the subcode, more specific) when there is one, else ``"368"``."""
        if self.subcode is not None:
            return str(self.subcode)
        return None if self.code is None else str(self.code)


def graph_error(response: httpx2.Response) -> GraphError | None:
    """Graph's error object in an answer; None when the body is not one."""
    from providers.auth.callback import clean_text

    try:
        body: Any = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        # rupload.facebook.com (a Reel's bytes) answers {"debug_info": {"type", "message"}}.
        error = body.get("debug_info") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None

    def number(value: Any) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    message = error.get("error_user_msg") or error.get("message")
    return GraphError(
        number(error.get("code")),
        number(error.get("error_subcode")),
        clean_text(str(message)) if isinstance(message, str) else "",
        str(error.get("type") or ""),
    )


@dataclass
class Page:
    id: str
    name: str
    token: str = field(repr=False)
    business: str | None = None  # the Business portfolio it came through, if any


def _pages_of(body: Mapping[str, Any], business: str | None) -> list[Page]:
    found = []
    for item in body.get("data") or []:
        if not isinstance(item, dict):
            continue
        page_id, name, token = item.get("id"), item.get("name"), item.get("access_token")
        if isinstance(page_id, str | int) and isinstance(token, str) and token:
            found.append(Page(str(page_id), str(name or page_id), token, business))
    return found


def _next(body: Mapping[str, Any]) -> str | None:
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    return following if isinstance(following, str) and following.startswith(("http://", "https://")) else None


async def _walk(
    client: httpx2.AsyncClient, url: str, params: dict[str, str], token: str, proof: dict[str, str]
) -> list[dict[str, Any]]:
    """Every page of a Graph list (following ``paging.next``), as the bodies; raises
    :class:`GraphListError` on a failed answer."""
    bodies: list[dict[str, Any]] = []
    first: str | None = url
    query: dict[str, str] | None = {**params, **proof}
    for _ in range(MAX_PAGES):
        if first is None:
            break
        response = await client.get(first, params=query, headers=bearer(token))
        if response.status_code != 200:
            raise GraphListError(response)
        try:
            body = response.json()
        except ValueError:
            raise GraphListError(response) from None
        if not isinstance(body, dict):
            raise GraphListError(response)
        bodies.append(body)
        first, query = _next(body), None  # the next URL carries its own query (cursor, fields)
        if first is not None and proof:
            first += ("&" if "?" in first else "?") + urlencode(proof)
    return bodies


class GraphListError(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


async def list_pages(
    client: httpx2.AsyncClient, user_token: str, proof: dict[str, str] | None = None
) -> list[Page]:
    """Every Page the person can post to: theirs, then their Businesses' (owned, then client),
    each once. ``proof``: the user token's appsecret_proof parameter, if any."""
    proof = proof or {}
    params = {"fields": PAGE_FIELDS, "limit": "100"}
    pages: dict[str, Page] = {}
    for body in await _walk(client, graph_url("me/accounts"), params, user_token, proof):
        for page in _pages_of(body, None):
            pages.setdefault(page.id, page)
    businesses = await _walk(
        client, graph_url("me/businesses"), {"fields": "id,name", "limit": "100"}, user_token, proof
    )
    for body in businesses:
        for business in body.get("data") or []:
            business_id = business.get("id") if isinstance(business, dict) else None
            if not isinstance(business_id, str | int):
                continue
            for edge in ("owned_pages", "client_pages"):
                for listed in await _walk(
                    client, graph_url(f"{business_id}/{edge}"), params, user_token, proof
                ):
                    for page in _pages_of(listed, str(business_id)):
                        pages.setdefault(page.id, page)
    return list(pages.values())
