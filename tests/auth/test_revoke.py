"""revoke(): what it sends (RFC 7009) and that it never raises (the contract is in test_oauth2_contract)."""

from __future__ import annotations

import base64

import pytest

from providers.auth.revoke import revoke
from tests.servers.scripted_as import ScriptedAS


async def test_revokes_the_refresh_token_when_there_is_one(scripted: ScriptedAS) -> None:
    assert await revoke(scripted.config(), {"access_token": "at-1", "refresh_token": "rt-1"}) is True
    (form,) = scripted.forms("/revoke")
    assert form == {"token": "rt-1", "token_type_hint": "refresh_token", "client_id": "scripted-client"}


async def test_else_the_access_token(scripted: ScriptedAS) -> None:
    assert await revoke(scripted.config(), {"access_token": "at-1", "refresh_token": ""}) is True
    (form,) = scripted.forms("/revoke")
    assert form["token"] == "at-1" and form["token_type_hint"] == "access_token"


async def test_client_secret_basic(scripted: ScriptedAS) -> None:
    config = scripted.config(client_secret="s3cret", token_auth_method="client_secret_basic")
    assert await revoke(config, {"access_token": "at-1"}) is True
    ((_, form, headers),) = [r for r in scripted.requests if r[0] == "/revoke"]
    assert "client_secret" not in form
    expected = base64.b64encode(b"scripted-client:s3cret").decode()
    assert headers["Authorization"] == f"Basic {expected}"


@pytest.mark.parametrize("status", [400, 401, 503])
async def test_a_refusal_is_false_not_an_exception(scripted: ScriptedAS, status: int) -> None:
    scripted.revoke_status = status
    assert await revoke(scripted.config(), {"access_token": "at-1"}) is False
