"""The vault: OAuth tokens and developer-app client secrets, kept where ``[secrets] backend`` says.

- ``"keyring"`` (the default, one person on one machine): the OS keyring and nowhere else
  (:mod:`providers.keyring_backend`: which keyring counts, the plaintext opt-in, the service name).
- ``"store"`` (team mode: workers on several machines need the same tokens): the database's
  ``secrets`` table, each secret sealed with AES-256-GCM under the team key
  (:mod:`providers.secrets`); the database never holds one in plain text.

Usernames: ``token:<vault key>`` (the vault key is ``Account.vault_key``,
``network:instance:remote_id``), ``client-secret:<network id>`` and, for apps linkdeck registered
itself on a server, ``client-secret:<network id>:<instance URL>``. In team mode the username is
the sealed row's name, bound to its ciphertext.

Secrets never appear in exception text or in reprs.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from providers.keyring_backend import PLAINTEXT_FILENAME, SERVICE, KeyringSecrets, service_name
from providers.settings import Settings
from providers.settings import load as load_settings

if TYPE_CHECKING:
    from providers.secrets.backend import StoreSecrets
    from providers.store import Store

__all__ = ["PLAINTEXT_FILENAME", "SERVICE", "Vault", "service_name"]

# Token fields that describe the access token of one response; a refresh response without them
# must not inherit the old values.
_ACCESS_EXPIRY_FIELDS = ("expires_in", "expires_at")

# Read-modify-write of one keyring entry (merge_token) is serialised within the process; in team
# mode the row's compare-and-set serialises it across processes and machines too.
_MERGE_LOCK = threading.RLock()


class Vault:
    def __init__(self, settings: Settings | None = None, *, store: Store | None = None) -> None:
        """``store``: the store team mode seals secrets in (default: one opened on first use)."""
        self._settings = settings if settings is not None else load_settings()
        self.service = service_name()
        self._keyring: KeyringSecrets | None = None
        self._sealed: StoreSecrets | None = None
        if self._settings.secret_backend == "store":
            from providers.secrets.backend import StoreSecrets

            self._sealed = StoreSecrets(self._settings.secret_key_file, store)
        else:
            self._keyring = KeyringSecrets(self._settings)

    @property
    def settings(self) -> Settings:
        """The settings this vault was opened with (whether plaintext secrets are allowed)."""
        return self._settings

    @property
    def team(self) -> StoreSecrets | None:
        """Team mode's backend, or None when secrets are in the OS keyring."""
        return self._sealed

    def __repr__(self) -> str:
        return f"<Vault service={self.service!r} backend={self.backend_name()!r}>"

    @property
    def is_plaintext(self) -> bool:
        return self._keyring is not None and self._keyring.is_plaintext

    def backend_name(self) -> str:
        """A readable name of the backend in use (never raises; for ``linkdeck doctor``)."""
        if self._sealed is not None:
            return self._sealed.describe()
        assert self._keyring is not None
        return self._keyring.describe()

    def check(self) -> None:
        """Raise :class:`KeyringUnavailable` unless the vault can read and write secrets (team mode:
        SecretKeyError unless a key is configured and every stored secret opens with it)."""
        if self._sealed is not None:
            opened = self._sealed.check()
            if opened.unopened:
                from providers.errors import SecretKeyError

                raise SecretKeyError(
                    f"{len(opened.unopened)} of {sum(opened.counts.values())} stored secrets do not "
                    f"open: {opened.unopened[0]}"
                )
            return
        assert self._keyring is not None
        self._keyring.check()

    # Raw entries -------------------------------------------------------------------------------

    def _get(self, username: str) -> str | None:
        if self._sealed is not None:
            return self._sealed.get(username)
        assert self._keyring is not None
        return self._keyring.get(username)

    def _set(self, username: str, value: str) -> None:
        if self._sealed is not None:
            self._sealed.set(username, value)
            return
        assert self._keyring is not None
        self._keyring.set(username, value)

    def _delete(self, username: str) -> None:
        if self._sealed is not None:
            self._sealed.delete(username)
            return
        assert self._keyring is not None
        self._keyring.delete(username)

    # Tokens ------------------------------------------------------------------------------------

    @staticmethod
    def _token_user(key: str) -> str:
        if not key:
            raise ValueError("empty vault key")
        return f"token:{key}"

    def set_token(self, key: str, token: dict[str, Any]) -> None:
        """Store ``token`` (a JSON-able dict) for the account key, replacing what was there.
        Refreshes should use :meth:`merge_token`, which keeps the refresh token."""
        self._set(self._token_user(key), _dumps(token))

    def get_token(self, key: str) -> dict[str, Any] | None:
        return _loads(self._get(self._token_user(key)))

    def delete_token(self, key: str) -> None:
        self._delete(self._token_user(key))

    def merge_token(self, key: str, new: dict[str, Any]) -> dict[str, Any]:
        """Store a refreshed token and return what was stored.

        Fields in ``new`` win; fields only in the stored token are kept (a refresh response may
        omit ``scope``, RFC 6749 §5.1), except the access token's expiry (``expires_in``,
        ``expires_at``), which belongs to the old access token. A stored non-empty
        ``refresh_token`` is never replaced by an empty or missing one.
        """
        if self._sealed is not None:
            stored = self._sealed.update(
                self._token_user(key), lambda raw: _dumps(_merged(_loads(raw) or {}, new))
            )
            return _loads(stored) or {}
        with _MERGE_LOCK:
            merged = _merged(self.get_token(key) or {}, new)
            self.set_token(key, merged)
            return merged

    # Client secrets ----------------------------------------------------------------------------

    @staticmethod
    def _secret_user(network_id: str, instance: str | None = None) -> str:
        if not network_id:
            raise ValueError("empty network id")
        return f"client-secret:{network_id}:{instance}" if instance else f"client-secret:{network_id}"

    def set_client_secret(self, network_id: str, secret: str, *, instance: str | None = None) -> None:
        """``instance``: the secret of an app linkdeck registered itself on that server (Mastodon,
        Pixelfed), kept apart from the user's own developer-app secret for the network."""
        if not secret:
            raise ValueError(f"empty client secret for {network_id}")
        self._set(self._secret_user(network_id, instance), secret)

    def get_client_secret(self, network_id: str, *, instance: str | None = None) -> str | None:
        """``LINKDECK_<ID>_CLIENT_SECRET`` if set, else the keyring entry, else None. A per-instance
        secret (``instance`` given) comes only from the keyring: the environment variable is the
        user's own developer app, not one linkdeck registered."""
        if instance is None:
            from_env = self._settings.client_secret_from_env(network_id)
            if from_env:
                return from_env
        return self._get(self._secret_user(network_id, instance))

    def delete_client_secret(self, network_id: str, *, instance: str | None = None) -> None:
        self._delete(self._secret_user(network_id, instance))


def _dumps(token: dict[str, Any]) -> str:
    return json.dumps(token, separators=(",", ":"), sort_keys=True)


def _loads(raw: str | None) -> dict[str, Any] | None:
    """A stored token; None for none, or an unreadable entry (the account asks to reconnect)."""
    if raw is None:
        return None
    try:
        token = json.loads(raw)
    except ValueError:
        return None
    return token if isinstance(token, dict) else None


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` over ``old`` (see :meth:`Vault.merge_token`)."""
    merged = {k: v for k, v in old.items() if k not in _ACCESS_EXPIRY_FIELDS or k in new}
    merged.update(new)
    if not new.get("refresh_token") and old.get("refresh_token"):
        merged["refresh_token"] = old["refresh_token"]
    return merged
