"""The sandbox's Reddit as PRAW sees it: Reddit's most-used Python client, written by others
(praw-dev/praw, pinned exactly in pyproject.toml's dev extra: praw 8.0.3, prawcore 4.0.0),
pointed at the sandbox with its documented ``reddit_url`` / ``oauth_url`` settings
(shared/reference/networks-2026.md §12c).

It does what a PRAW user with an installed app does: the authorize URL (``duration=permanent``),
the consent page approved as tests/sandbox_browser.py approves it, ``auth.authorize(code)`` (HTTP
Basic with an empty secret), ``user.me()``, a text submission read back, the refusals Reddit sends
inside HTTP 200 answers as PRAW raises them (``RedditAPIException`` with Reddit's error codes),
and the refresh token revoked. PRAW is synchronous (requests), so each scenario runs in a thread
while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio

import praw
import prawcore
import pytest
from praw.exceptions import RedditAPIException

from providers.networks.reddit.sandbox_oauth import DEMO_CLIENT_ID
from providers.sandbox import Running
from tests.sandbox_browser import approve, query

REDIRECT = "http://127.0.0.1:8080/callback"  # never listened on: the consent page's 302 is read


def client(sandbox: Running) -> praw.Reddit:
    return praw.Reddit(
        client_id=DEMO_CLIENT_ID,
        client_secret=None,  # an installed app
        redirect_uri=REDIRECT,
        user_agent="python:linkdeck.fidelity:1.0 (by /u/alice)",
        reddit_url=f"{sandbox.url}/www.reddit.com",
        # prawcore joins API paths onto oauth_url (urljoin: the host segment needs its slash) and
        # appends /api/v1/… to reddit_url.
        oauth_url=f"{sandbox.url}/oauth.reddit.com/",
        check_for_updates=False,
    )


def signed_in(sandbox: Running) -> tuple[praw.Reddit, str]:
    reddit = client(sandbox)
    url = reddit.auth.url(
        scopes=["identity", "submit", "read", "history"],
        state="fidelity-state-0123456789",
        duration="permanent",
    )
    assert url.startswith(f"{sandbox.url}/www.reddit.com/api/v1/authorize?")
    assert query(url)["duration"] == "permanent"
    answer = approve(url, user="alice")
    assert answer.status_code == 302, answer.text[:300]
    back = query(answer.headers["location"])
    assert back["state"] == "fidelity-state-0123456789"
    refresh_token = reddit.auth.authorize(back["code"])
    assert refresh_token  # duration=permanent gives one
    return reddit, refresh_token


async def test_praw_links_and_submits_a_text_post(sandbox: Running) -> None:
    def scenario() -> None:
        reddit, _ = signed_in(sandbox)
        me = reddit.user.me()
        assert me is not None and me.name == "alice"
        assert reddit.auth.scopes() == {"identity", "submit", "read", "history"}
        made = reddit.subreddit("linkdeck").submit("Hello from PRAW", selftext="A body in **Markdown**.")
        assert made is not None and made.id and made.name == f"t3_{made.id}"
        assert made.title == "Hello from PRAW" and made.selftext == "A body in **Markdown**."
        assert made.permalink.startswith(f"/r/linkdeck/comments/{made.id}/")
        newest = next(iter(reddit.redditor("alice").submissions.new(limit=1)))
        assert newest.id == made.id

    await asyncio.to_thread(scenario)
    [post] = sandbox.sandbox.emulator("oauth.reddit.com").published()
    assert (post.user, post.text, post.media) == ("alice", "Hello from PRAW\nA body in **Markdown**.", 0)


async def test_refusals_inside_http_200_are_what_praw_raises(sandbox: Running) -> None:
    def scenario() -> None:
        reddit, _ = signed_in(sandbox)
        for subreddit, kwargs, code in (
            ("harbourphotos", {"selftext": "no flair"}, "SUBMIT_VALIDATION_FLAIR_REQUIRED"),
            ("textonly", {"url": "https://example.com/a"}, "NO_LINKS"),
            ("nosuchplace", {"selftext": "x"}, "SUBREDDIT_NOEXIST"),
        ):
            with pytest.raises(RedditAPIException) as refused:
                reddit.subreddit(subreddit).submit("A title", **kwargs)
            assert refused.value.items[0].error_type == code
        with pytest.raises(RedditAPIException) as too_long:
            reddit.subreddit("linkdeck").submit("x" * 301, selftext="")
        assert too_long.value.items[0].error_type == "TOO_LONG"

    await asyncio.to_thread(scenario)
    assert sandbox.sandbox.emulator("oauth.reddit.com").published() == []


async def test_revoking_the_refresh_token_ends_the_grant(sandbox: Running) -> None:
    def scenario() -> str:
        reddit, refresh_token = signed_in(sandbox)
        assert reddit.user.me() is not None
        requestor = prawcore.Requestor(
            user_agent="python:linkdeck.fidelity:1.0 (by /u/alice)",
            oauth_url=f"{sandbox.url}/oauth.reddit.com/",
            reddit_url=f"{sandbox.url}/www.reddit.com",
        )
        app = prawcore.UntrustedAuthenticator(
            requestor=requestor, client_id=DEMO_CLIENT_ID, redirect_uri=REDIRECT
        )
        app.revoke_token(refresh_token, token_type="refresh_token")  # raises unless HTTP 200
        renewing = praw.Reddit(
            client_id=DEMO_CLIENT_ID, client_secret=None, refresh_token=refresh_token,
            user_agent="python:linkdeck.fidelity:1.0 (by /u/alice)", check_for_updates=False,
            reddit_url=f"{sandbox.url}/www.reddit.com", oauth_url=f"{sandbox.url}/oauth.reddit.com/",
        )  # fmt: skip
        with pytest.raises((prawcore.exceptions.ResponseException, prawcore.exceptions.OAuthException)):
            renewing.user.me()  # the grant is gone: no new access token
        return refresh_token

    refresh_token = await asyncio.to_thread(scenario)
    assert not sandbox.sandbox.emulator("oauth.reddit.com").accepts(refresh_token)
