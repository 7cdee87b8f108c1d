"""The vault: OAuth tokens and developer-app client secrets, in the OS keyring and nowhere else.

Backend choice. The keyring library's own choice (``keyring.get_keyring()``) is used when it is a
real, non-interactive secret store (Secret Service / gnome-keyring / KWallet, macOS Keychain,
Windows Credential Locker). A chain of backends is searched in its own priority order for the first
such store. These count as *no keyring*: the fail and null backends, and file backends that store
secrets unencrypted (``keyrings.alt`` PlaintextKeyring, which keyring picks silently when
keyrings.alt is installed and no D-Bus session exists) or that ask for a password on the terminal.
With no keyring, every operation raises :class:`KeyringUnavailable` naming the fix, unless the user
opted in to plaintext (``[keyring] allow_plaintext = true`` or
``LINKDECK_ALLOW_PLAINTEXT_SECRETS=1``): then, and only then, secrets go to a plaintext file,
``<data dir>/secrets-plaintext.cfg`` (mode 0600). A real keyring is preferred even when the opt-in
is set.

Service name. Entries are stored under the service ``linkdeck``; when ``LINKDECK_HOME`` is set,
under ``linkdeck:<first 12 hex digits of sha256(resolved LINKDECK_HOME)>``, so tests and the demo
never read or overwrite a real user's entries. Usernames: ``token:<vault key>`` (the vault key is
``Account.vault_key``, ``network:instance:remote_id``), ``client-secret:<network id>`` and, for apps
linkdeck registered itself on a server, ``client-secret:<network id>:<instance URL>``.

Secrets never appear in exception text or in reprs; keyring errors are re-raised as
:class:`KeyringUnavailable` with the secret scrubbed and the original exception not chained.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from providers import paths
from providers.errors import KeyringUnavailable
from providers.settings import Settings
from providers.settings import load as load_settings

SERVICE = "linkdeck"
PLAINTEXT_FILENAME = "secrets-plaintext.cfg"
_PROBE_USER = "linkdeck-probe"

# Token fields that describe the access token of one response; a refresh response without them
# must not inherit the old values.
_ACCESS_EXPIRY_FIELDS = ("expires_in", "expires_at")

# Read-modify-write of one entry (merge_token) is serialised within the process.
_MERGE_LOCK = threading.RLock()


def service_name() -> str:
    """``linkdeck``, or ``linkdeck:<hash of LINKDECK_HOME>`` when LINKDECK_HOME is set."""
    home = paths.home_override()
    if home is None:
        return SERVICE
    digest = hashlib.sha256(str(home.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"{SERVICE}:{digest}"


def _qualname(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _unsuitable(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why this backend cannot hold linkdeck's secrets, or None if it can."""
    module = type(backend).__module__
    name = type(backend).__name__
    if module == "keyring.backends.fail":
        return "no keyring backend found"
    if module == "keyring.backends.null":
        return "the keyring is disabled (keyring.backends.null)"
    if module.startswith("keyrings.alt.file") and name == "PlaintextKeyring":
        return "the only keyring backend found (keyrings.alt PlaintextKeyring) stores secrets unencrypted"
    if module.startswith(("keyrings.alt.file", "keyrings.cryptfile")):
        return f"the keyring backend {_qualname(backend)} asks for its password on the terminal"
    return None


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:300]


class Vault:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings if settings is not None else load_settings()
        self.service = service_name()
        self._backend: keyring.backend.KeyringBackend | None = None
        self._problem: str | None = None
        self._plaintext_path: Path | None = None
        self._resolved = False

    @property
    def settings(self) -> Settings:
        """The settings this vault was opened with (whether plaintext secrets are allowed)."""
        return self._settings

    def __repr__(self) -> str:
        return f"<Vault service={self.service!r} backend={self.backend_name()!r}>"

    # Backend -----------------------------------------------------------------------------------

    def _resolve(self) -> None:
        if self._resolved:
            return
        chosen = keyring.get_keyring()
        candidates = list(chosen.backends) if isinstance(chosen, ChainerBackend) else [chosen]
        problems: list[str] = []
        for candidate in candidates:
            problem = _unsuitable(candidate)
            if problem is None:
                self._backend = candidate
                break
            problems.append(problem)
        else:
            if self._settings.allow_plaintext_secrets:
                self._backend = self._open_plaintext()
            else:
                self._problem = problems[0] if problems else "no keyring backend found"
        self._resolved = True

    def _open_plaintext(self) -> keyring.backend.KeyringBackend:
        try:
            from keyrings.alt.file import PlaintextKeyring
        except ImportError:
            raise KeyringUnavailable(
                "plaintext secret storage was allowed, but the keyrings.alt package is not installed",
                hint="Install it (pip install keyrings.alt) or install and unlock a Secret Service.",
            ) from None
        path = paths.data_dir() / PLAINTEXT_FILENAME
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
        backend = PlaintextKeyring()
        backend.file_path = str(path)
        self._plaintext_path = path
        return backend  # type: ignore[no-any-return]

    def _require(self) -> keyring.backend.KeyringBackend:
        self._resolve()
        if self._backend is None:
            raise KeyringUnavailable(self._unavailable_message(), hint=self._unavailable_hint())
        return self._backend

    def _unavailable_message(self) -> str:
        return (
            f"{self._problem or 'no keyring backend found'}: linkdeck keeps tokens and secrets only in "
            "the OS keyring. Install and unlock a Secret Service such as gnome-keyring or KWallet, or set "
            f"`[keyring] allow_plaintext = true` in config.toml ({paths.config_file()}) / "
            "LINKDECK_ALLOW_PLAINTEXT_SECRETS=1 to store secrets in a plaintext file under the data "
            f"folder ({paths.data_dir()})."
        )

    @staticmethod
    def _unavailable_hint() -> str:
        return (
            "On a headless machine or over SSH: run linkdeck inside `dbus-run-session` after "
            "`gnome-keyring-daemon --unlock --components=secrets`. `linkdeck doctor` shows the backend."
        )

    @property
    def is_plaintext(self) -> bool:
        self._resolve()
        return self._plaintext_path is not None

    def backend_name(self) -> str:
        """A readable name of the backend in use (never raises; for ``linkdeck doctor``)."""
        try:
            self._resolve()
        except KeyringUnavailable as exc:
            return f"none ({exc.message})"
        if self._plaintext_path is not None:
            return f"plaintext file {self._plaintext_path} (keyrings.alt PlaintextKeyring, opted in)"
        if self._backend is None:
            return f"none ({self._problem})"
        return _qualname(self._backend)

    def check(self) -> None:
        """Raise :class:`KeyringUnavailable` unless the vault can read and write secrets."""
        backend = self._require()
        try:
            backend.get_password(self.service, _PROBE_USER)
        except Exception as exc:
            raise self._failure("answer", "a test read", exc) from None

    def _failure(self, verb: str, what: str, exc: BaseException, *secrets: str) -> KeyringUnavailable:
        detail = _scrub(str(exc), secrets)
        return KeyringUnavailable(
            f"the keyring ({self.backend_name()}) did not {verb} for {what}: "
            f"{type(exc).__name__}{': ' + detail if detail else ''}",
            hint="Is the keyring unlocked? `linkdeck doctor` checks it.",
        )

    # Raw entries -------------------------------------------------------------------------------

    def _get(self, username: str) -> str | None:
        backend = self._require()
        try:
            value = backend.get_password(self.service, username)
        except Exception as exc:
            raise self._failure("answer", username, exc) from None
        return value if isinstance(value, str) else None

    def _set(self, username: str, value: str) -> None:
        backend = self._require()
        try:
            backend.set_password(self.service, username, value)
        except Exception as exc:
            raise self._failure("store", username, exc, value) from None
        if self._plaintext_path is not None:
            os.chmod(self._plaintext_path, 0o600)

    def _delete(self, username: str) -> None:
        backend = self._require()
        try:
            backend.delete_password(self.service, username)
        except keyring.errors.PasswordDeleteError:
            return  # not there: nothing to delete
        except Exception as exc:
            raise self._failure("delete", username, exc) from None

    # Tokens ------------------------------------------------------------------------------------

    @staticmethod
    def _token_user(key: str) -> str:
        if not key:
            raise ValueError("empty vault key")
        return f"token:{key}"

    def set_token(self, key: str, token: dict[str, Any]) -> None:
        """Store ``token`` (a JSON-able dict) for the account key, replacing what was there.
        Refreshes should use :meth:`merge_token`, which keeps the refresh token."""
        self._set(self._token_user(key), json.dumps(token, separators=(",", ":"), sort_keys=True))

    def get_token(self, key: str) -> dict[str, Any] | None:
        raw = self._get(self._token_user(key))
        if raw is None:
            return None
        try:
            token = json.loads(raw)
        except ValueError:
            return None  # unreadable entry: treated as no token (the account asks to reconnect)
        return token if isinstance(token, dict) else None

    def delete_token(self, key: str) -> None:
        self._delete(self._token_user(key))

    def merge_token(self, key: str, new: dict[str, Any]) -> dict[str, Any]:
        """Store a refreshed token and return what was stored.

        Fields in ``new`` win; fields only in the stored token are kept (a refresh response may
        omit ``scope``, RFC 6749 §5.1), except the access token's expiry (``expires_in``,
        ``expires_at``), which belongs to the old access token. A stored non-empty
        ``refresh_token`` is never replaced by an empty or missing one.
        """
        with _MERGE_LOCK:
            old = self.get_token(key) or {}
            merged = {k: v for k, v in old.items() if k not in _ACCESS_EXPIRY_FIELDS or k in new}
            merged.update(new)
            if not new.get("refresh_token") and old.get("refresh_token"):
                merged["refresh_token"] = old["refresh_token"]
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
