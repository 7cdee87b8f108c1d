"""The emulated Flickr's OAuth 1.0a, on the shared emulated provider
(:mod:`providers.emulation.oauth1`, which checks every signature for real):

- ``/services/oauth/request_token`` (GET or POST) wants ``oauth_callback`` (a URL or ``oob``);
- ``/services/oauth/authorize?oauth_token=…&perms=read|write|delete``: the consent page; for
  ``oob`` it shows the verifier in Flickr's ``123-456-789`` form;
- ``/services/oauth/access_token`` answers the token with Flickr's ``fullname``, ``user_nsid`` and
  ``username``.

A refused signature is ``oauth_problem=…`` (HTTP 401) at the OAuth endpoints; the API calls answer
their own error shapes from :mod:`.sandbox` with Flickr's code for the problem (:data:`CODES`).
"""

from __future__ import annotations

import secrets
import weakref
from typing import Any

from providers.emulation import oauth1, people
from providers.emulation.grants import Clock
from providers.emulation.oauth1 import Access, Signed

__all__ = ["DEMO_KEY", "DEMO_SECRET", "Access", "Signed", "code_of", "nsid", "shared"]

DEMO_KEY = "sandbox-flickr-api-key-0001"
DEMO_SECRET = "sandbox-flickr-secret"
PERMS = ("read", "write", "delete")
# Flickr's API error code for each refusal: 100 unknown key, 98 unknown token, 96 the rest.
CODES = {oauth1.UNKNOWN_KEY: "100", oauth1.UNKNOWN_TOKEN: "98"}


def code_of(problem: str) -> str:
    return CODES.get(problem, "96")


def nsid(who: people.User) -> str:
    """A Flickr-shaped NSID for a demo user."""
    return f"{who.id[-8:]}@N01"


def _verifier() -> str:
    return "-".join(f"{secrets.randbelow(1000):03d}" for _ in range(3))


def _account(access: Access) -> dict[str, str]:
    who = access.user
    return {"fullname": who.display_name, "user_nsid": nsid(who), "username": who.username}


def flickr_oauth(clock: Clock) -> oauth1.OAuth1Provider:
    return oauth1.OAuth1Provider(
        clock,
        name="Flickr",
        consumer_key=DEMO_KEY,
        consumer_secret=DEMO_SECRET,
        authorize_path="/services/oauth/authorize",
        make_verifier=_verifier,
        access_fields=_account,
        perms=PERMS,
        signs_multipart_fields=True,
    )


_WORLDS: weakref.WeakKeyDictionary[Clock, Any] = weakref.WeakKeyDictionary()


def shared(clock: Clock, make: Any) -> Any:
    """The one state of this sandbox's Flickr hosts (made by ``make(clock)`` the first time)."""
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = make(clock)
    return found
