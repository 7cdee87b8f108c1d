"""The sandbox's Threads as python-facebook sees it: ``pyfacebook.ThreadsGraphAPI`` 0.24.0 (pinned
in pyproject.toml's dev extra), which no one here wrote, pointed at the sandbox with its
``base_url``, ``authorization_url`` and ``access_token_url`` (networks-2026.md §3c, §16).

What a python-facebook user does: the authorize address (comma-separated scopes; the consent page
driven as tests/sandbox_browser.py drives it), the code exchanged with the app secret
(requests-oauthlib), the short-lived token exchanged for a long-lived one, the profile, a text
container, its status until FINISHED, publishing it, its permalink, and a refresh refused while the
token is younger than a day. The library is synchronous (requests), so it runs in a thread while
the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pyfacebook import ThreadsGraphAPI
from pyfacebook.exceptions import FacebookError

from providers.networks.threads.sandbox import CLIENT_ID, CLIENT_SECRET
from providers.sandbox import Running
from tests.sandbox_browser import approve

REDIRECT = "http://127.0.0.1:8080/callback"  # the registered one; never listened on


def scenario(base: str) -> dict[str, Any]:
    api = ThreadsGraphAPI(
        app_id=CLIENT_ID,
        app_secret=CLIENT_SECRET,
        oauth_flow=True,
        base_url=f"{base}/graph.threads.net/",
        authorization_url=f"{base}/threads.net/oauth/authorize",
        access_token_url=f"{base}/graph.threads.net/oauth/access_token",
        redirect_uri=REDIRECT,
        scope=["threads_basic", "threads_content_publish"],
        sleep_on_rate_limit=False,
    )
    url, state = api.get_authorization_url()
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    answer = approve(url)
    assert answer.status_code == 302, answer.text[:300]
    short = api.exchange_user_access_token(response=answer.headers["location"])
    long = api.exchange_long_lived_user_access_token()
    api.access_token = long["access_token"]
    me = api.get_object("me", fields="id,username,name,threads_profile_picture_url")
    container = api.post_object(
        me["id"], "threads", data={"media_type": "TEXT", "text": "Hello from pyfacebook"}
    )
    status = api.get_object(container["id"], fields="status,error_message")
    published = api.post_object(me["id"], "threads_publish", data={"creation_id": container["id"]})
    link = api.get_object(published["id"], fields="permalink,text,media_type")
    quota = api.get_connection(me["id"], "threads_publishing_limit", fields="quota_usage,config")
    try:
        api.refresh_access_token(long["access_token"])
        refresh_refused: str | None = None
    except FacebookError as error:
        refresh_refused = str(error)
    return {
        "query": query,
        "state": state,
        "short": short,
        "long": long,
        "me": me,
        "status": status,
        "link": link,
        "quota": quota,
        "refresh_refused": refresh_refused,
    }


async def test_python_facebook_links_and_posts_through_the_container_flow(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # requests-oauthlib and http://127.0.0.1
    seen = await asyncio.to_thread(scenario, sandbox.url)
    assert seen["query"]["scope"] == "threads_basic,threads_content_publish"
    assert seen["query"]["state"] == seen["state"] and seen["query"]["response_type"] == "code"
    assert isinstance(seen["short"]["user_id"], int) and seen["short"]["access_token"]
    assert seen["long"]["token_type"] == "bearer" and seen["long"]["expires_in"] == 5183944
    assert seen["me"]["username"] == "alice" and seen["me"]["threads_profile_picture_url"].startswith(
        "https://"
    )
    assert seen["status"]["status"] == "FINISHED"
    assert seen["link"]["text"] == "Hello from pyfacebook" and seen["link"]["media_type"] == "TEXT_POST"
    assert seen["link"]["permalink"].startswith("https://www.threads.com/@alice/post/")
    [limit] = seen["quota"]["data"]
    assert limit["quota_usage"] == 1 and limit["config"] == {"quota_total": 250, "quota_duration": 86400}
    assert seen["refresh_refused"] is not None and "24 hours" in seen["refresh_refused"]
