"""Reading pasted answers: the same state rules as the listener, clear refusals, no echo."""

from __future__ import annotations

import pytest

from providers.auth.callback import parse_pasted, parse_pasted_oauth1
from providers.auth.types import OOB_REDIRECT
from providers.errors import AuthorizationRefused, CallbackRejected, LinkError

STATE = "s" * 43
CODE = "Zq8XbN3d-secret-code_value.42"
REDIRECT = "http://127.0.0.1:53682/callback"
NET = "Mastodon (mastodon.example)"


def paste(text: str, redirect_uri: str = REDIRECT) -> str:
    return parse_pasted(text, expected_state=STATE, redirect_uri=redirect_uri, network_name=NET)


def refused(text: str, kind: type[LinkError] = CallbackRejected, redirect_uri: str = REDIRECT) -> str:
    with pytest.raises(kind) as info:
        paste(text, redirect_uri)
    message = str(info.value)
    assert NET in message
    assert CODE not in message and STATE not in message and text.strip() not in message
    return message


def test_full_redirect_url() -> None:
    assert paste(f"  {REDIRECT}?code={CODE}&state={STATE}&iss=http%3A%2F%2Fx \n") == CODE


def test_redirect_url_on_another_forwarded_port_is_still_checked_by_state() -> None:
    assert paste(f"http://127.0.0.1:9999/callback?state={STATE}&code={CODE}") == CODE


def test_bare_code_typed_or_pasted() -> None:
    assert paste(f"\t{CODE}\n") == CODE
    assert paste("4%2F0AX4XfWg-google-style") == "4/0AX4XfWg-google-style"


def test_oob_urn_address_pasted_whole() -> None:
    assert paste(f"{OOB_REDIRECT}?code={CODE}&state={STATE}", OOB_REDIRECT) == CODE


def test_oob_code_page_address() -> None:
    page = f"https://mastodon.example/oauth/authorize/native?code={CODE}"
    assert paste(page, OOB_REDIRECT) == CODE
    refused(page + "&state=forged", redirect_uri=OOB_REDIRECT)
    assert "no authorization code" in refused("https://mastodon.example/x?y=1", redirect_uri=OOB_REDIRECT)
    # For a loopback redirect the same address is not ours.
    refused(page)


def test_missing_state_is_refused() -> None:
    assert "no state" in refused(f"{REDIRECT}?code={CODE}")


@pytest.mark.parametrize("forged", ["x" * 43, STATE + "x", STATE[:-1], STATE.upper(), ""])
def test_forged_state_is_refused(forged: str) -> None:
    refused(f"{REDIRECT}?code={CODE}&state={forged}")


def test_repeated_parameters_are_refused() -> None:
    assert "more than once" in refused(f"{REDIRECT}?code={CODE}&state={STATE}&state={STATE}")
    refused(f"{REDIRECT}?code={CODE}&code=other&state={STATE}")


def test_wrong_path_is_refused() -> None:
    assert "/callback" in refused(f"http://127.0.0.1:53682/elsewhere?code={CODE}&state={STATE}")


def test_access_denied_is_mapped() -> None:
    message = refused(f"{REDIRECT}?error=access_denied&state={STATE}", AuthorizationRefused)
    assert message.startswith(f"{NET}: you declined access")


def test_access_denied_pasted_without_state_still_says_so() -> None:
    assert "you declined access" in refused(f"{REDIRECT}?error=access_denied", AuthorizationRefused)


def test_error_with_a_forged_state_is_not_believed() -> None:
    refused(f"{REDIRECT}?error=access_denied&state=forged", CallbackRejected)


def test_other_errors_are_mapped_with_the_description() -> None:
    message = refused(
        f"{REDIRECT}?error=invalid_scope&error_description=write%3Amedia+unknown&state={STATE}",
        AuthorizationRefused,
    )
    assert "rejected the permissions" in message and "write:media unknown" in message


def test_unknown_error_and_hostile_description_are_cleaned() -> None:
    message = refused(
        f"{REDIRECT}?error=weird&error_description=%3Cscript%3E%0Aline2{'x' * 500}&state={STATE}",
        AuthorizationRefused,
    )
    assert "\n" not in message and len(message) < 400


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "two words", "code with spaces", "<script>", "javascript:alert(1)", "a?b", "#frag", "abc"],
)
def test_junk_is_refused(junk: str) -> None:
    with pytest.raises(CallbackRejected) as info:
        paste(junk)
    assert NET in str(info.value)


def test_a_code_without_its_code_is_refused() -> None:
    assert "no authorization code" in refused(f"{REDIRECT}?state={STATE}")


def test_oauth1_callback_and_pin() -> None:
    token = "request-token-123"
    callback = "http://127.0.0.1:40000/callback"
    kwargs = {"expected_token": token, "callback_uri": callback, "network_name": "Flickr"}
    assert parse_pasted_oauth1(f"{callback}?oauth_token={token}&oauth_verifier=v-456", **kwargs) == "v-456"
    assert parse_pasted_oauth1(" 123-456-789 ", **kwargs) == "123-456-789"
    with pytest.raises(CallbackRejected, match="different link request"):
        parse_pasted_oauth1(f"{callback}?oauth_token=other&oauth_verifier=v-456", **kwargs)
    with pytest.raises(CallbackRejected, match="no oauth_token"):
        parse_pasted_oauth1(f"{callback}?oauth_verifier=v-456", **kwargs)
    with pytest.raises(AuthorizationRefused, match="you declined access"):
        parse_pasted_oauth1(f"{callback}?denied={token}", **kwargs)
    with pytest.raises(AuthorizationRefused, match="you declined access"):
        parse_pasted_oauth1(f"{callback}?error=access_denied", **kwargs)
