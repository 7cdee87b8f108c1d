"""Google Business Profile's rules without a server: Google's error documents read as codes (never
text searched) and mapped to what the user can do; the call-to-action decision; the summary's
1,500 characters and the one-photo, no-video rule at their boundaries, refused before sending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import catalog
from providers.networks.google_business import google
from providers.networks.google_business.publish import PUBLISHER, call_to_action, local_post
from providers.outbox.checks import inspect_all, problems
from tests import media_corpus

SPEC = catalog.get("google-business")
NAME = "Google Business Profile (Harbour Café)"


def answer(status: int, error: dict[str, Any] | None = None, *, html: str | None = None) -> httpx2.Response:
    if html is not None:
        return httpx2.Response(status, content=html.encode(), headers={"Content-Type": "text/html"})
    return httpx2.Response(
        status, content=json.dumps({"error": error}).encode(), headers={"Content-Type": "application/json"}
    )


def info(reason: str, **metadata: str) -> dict[str, Any]:
    return {"@type": google.ERROR_INFO, "reason": reason, "domain": "googleapis.com", "metadata": metadata}


def publisher() -> Any:
    return PUBLISHER(SPEC, httpx2.AsyncClient())


def test_service_disabled_is_refused_with_how_to_enable_the_v4_api() -> None:
    response = answer(403, {
        "code": 403,
        "message": "Google My Business API has not been used in project 42 before or it is disabled.",
        "status": "PERMISSION_DENIED",
        "details": [info("SERVICE_DISABLED", service="mybusiness.googleapis.com", consumer="projects/42")],
    })  # fmt: skip
    assert google.reason(response) == "SERVICE_DISABLED"
    assert google.disabled_api(response) == "Google My Business API (v4: local posts)"
    error = publisher().refused(response, NAME, "creating the post", committing=True)
    assert error.kind == "refused" and not error.maybe_published
    assert error.message.startswith(
        f"{NAME} refused creating the post (SERVICE_DISABLED: Google My Business API"
    )
    assert "APIs & Services → Library" in error.message


def status(code: int, canonical: str, message: str, *details: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "message": message, "status": canonical, "details": list(details)}


PHONE = {
    "@type": google.VALIDATION,
    "errorDetails": [{"code": 3, "field": "summary", "message": "Phone numbers are not allowed"}],
}
CASES = [
    (403, status(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                 info("ACCESS_TOKEN_SCOPE_INSUFFICIENT")), "reconnect", "business.manage"),
    (403, status(403, "PERMISSION_DENIED", "The caller does not have permission"), "refused",
     "no longer manage this location"),
    (404, status(404, "NOT_FOUND", "Requested entity was not found."), "refused", "choose a location"),
    (429, status(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), "try_later", "quota"),
    (400, status(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", PHONE), "fix_media",
     "summary: Phone numbers are not allowed"),
    (401, status(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), "reconnect",
     "did not accept"),
    (500, status(500, "INTERNAL", "Internal error encountered."), "try_later", "Internal error encountered"),
]  # fmt: skip


@pytest.mark.parametrize(("status", "error", "kind", "words"), CASES)
def test_google_errors_map_to_what_to_do(status: int, error: dict[str, Any], kind: str, words: str) -> None:
    found = publisher().refused(answer(status, error), NAME, "creating the post")
    assert found.kind == kind and words in found.message, found.message


def test_an_html_404_for_a_malformed_path_is_named_as_such() -> None:
    response = answer(404, html="<html><body>404. That's an error.</body></html>")
    assert google.reason(response) is None
    found = publisher().refused(response, NAME, "creating the post")
    assert found.kind == "refused" and "web page instead of the API's JSON" in found.message


@pytest.mark.parametrize(
    ("caption", "button"),
    [
        ("No address here", None),
        ("Menu at https://cafe.example/menu.", "https://cafe.example/menu"),
        ("Two: http://a.example/x, and https://b.example", "http://a.example/x"),
        ("(see https://cafe.example/a?b=1)", "https://cafe.example/a?b=1"),
        ("ftp://old.example is not the web", None),
    ],
)
def test_the_first_web_address_becomes_a_learn_more_button(caption: str, button: str | None) -> None:
    expected = {"actionType": "LEARN_MORE", "url": button} if button else None
    assert call_to_action(caption) == expected
    body = local_post(caption, None)
    assert body["summary"] == caption and body["topicType"] == "STANDARD" and "media" not in body
    assert body.get("callToAction") == expected


def test_the_summary_is_1500_characters_at_most() -> None:
    for length, fine in ((1499, True), (1500, True), (1501, False)):
        found = problems(SPEC, [], "é" * length)
        assert (found == []) is fine, (length, found)
    [refusal] = problems(SPEC, [], "x" * 1501)
    assert "Google Business Profile" in refusal.message and "1500" in refusal.message.replace(",", "")


def test_one_photo_and_no_video_are_refused_before_sending(tmp_path: Path) -> None:
    one = media_corpus.jpeg(tmp_path / "one.jpg", (800, 600))
    two = media_corpus.jpeg(tmp_path / "two.jpg", (800, 600))
    assert problems(SPEC, inspect_all([str(one)]), "One photo") == []
    assert problems(SPEC, inspect_all([str(one), str(two)]), "Two photos") != []
    small = media_corpus.jpeg(tmp_path / "small.jpg", (249, 400))
    [narrow] = problems(SPEC, inspect_all([str(small)]), "Too narrow")
    assert "Google Business Profile" in narrow.message
    clip = media_corpus.video(tmp_path / "clip.mp4")
    refused = problems(SPEC, inspect_all([str(clip)]), "A video")
    assert refused and all("Google Business Profile" in p.message for p in refused)
