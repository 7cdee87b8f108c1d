"""Linking Flickr: OAuth 1.0a with the user's own API key and secret (:mod:`providers.signin.oauth1`):
the callback on a loopback port, or Flickr's ``oob`` page showing a verifier to type back.

What only Flickr has: ``perms=write`` on the authorize page (read|write|delete, flickrapi
auth.py: uploading needs write), and who signed in from two signed REST calls,
``flickr.test.login`` (the NSID) and ``flickr.people.getInfo`` (names and the buddy icon,
``https://farm{iconfarm}.staticflickr.com/{iconserver}/buddyicons/{nsid}.jpg``, Flickr's default
icon when ``iconserver`` is 0). The API key and secret are kept with the token in the keyring:
an OAuth 1.0a token signs only together with the key that obtained it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, Profile
from providers.networks.flickr.api import REST, buddyicon, content, failure, read_rsp, rest_params
from providers.signin.oauth1 import OAuth1SignIn

if TYPE_CHECKING:
    from providers.auth.types import ClientConfig, Token

PERMS = "write"  # uploading needs write; delete is not asked for


class FlickrSignIn(OAuth1SignIn):
    def client_config(self) -> ClientConfig:
        return replace(super().client_config(), extra_authorize_params={"perms": PERMS})

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        authorized = await super().authorize(talk, instance)
        config = self.client_config()
        token = {**authorized.token, "consumer_key": config.client_id}
        if config.client_secret:
            token["consumer_secret"] = config.client_secret
        return Authorized(authorized.instance, token)

    async def _call(self, token: Token, method: str, what: str, **params: str) -> dict[str, Any]:
        from providers.auth.failures import describe_http_failure
        from providers.failures import response_problem

        try:
            response = await self.signed_get(REST, token, rest_params(method, **params))
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, what, exc)) from None
        if response.status_code != 200:
            raise LinkError(response_problem(self.spec.name, response, what))
        body = read_rsp(response)
        refused = failure(body)
        if refused is not None:
            code, message = refused
            raise LinkError(f"{self.spec.name} refused {what} ({code}: {message}); nothing was linked.")
        if body is None:
            raise LinkError(f"{self.spec.name} answered {what} with something that is not Flickr's answer.")
        return body

    async def profile(self, token: Token, instance: str | None) -> Profile:
        login = await self._call(token, "flickr.test.login", "checking the sign-in")
        user = login.get("user")
        nsid = str(user.get("id") or "") if isinstance(user, dict) else ""
        if not nsid:
            raise LinkError(f"{self.spec.name} answered the sign-in check without an account.")
        info = await self._call(token, "flickr.people.getInfo", "reading the account", user_id=nsid)
        return parse_person(info.get("person"), nsid, content(user.get("username")) if user else "")


def parse_person(person: Any, nsid: str, username: str) -> Profile:
    """The Profile from people.getInfo's ``person`` (JSON, or the same read from XML)."""
    person = person if isinstance(person, dict) else {}
    name = content(person.get("username")) or username or nsid
    real = content(person.get("realname")).strip()
    return Profile(
        remote_id=nsid,
        handle=name,
        display_name=real or name,
        avatar_url=buddyicon(nsid, person.get("iconfarm"), person.get("iconserver")),
    )


SIGN_IN = FlickrSignIn
