"""The vault's single-user backend: the OS keyring (or, only when asked, a plaintext file).

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
never read or overwrite a real user's entries.

Keyring errors are re-raised as :class:`KeyringUnavailable` with the secret scrubbed and the
original exception not chained.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from providers import paths
from providers.errors import KeyringUnavailable
from providers.settings import Settings

SERVICE = "linkdeck"
PLAINTEXT_FILENAME = "secrets-plaintext.cfg"
_PROBE_USER = "linkdeck-probe"


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


class KeyringSecrets:
    """Entries under :func:`service_name`, one per vault username."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.service = service_name()
        self._backend: keyring.backend.KeyringBackend | None = None
        self._problem: str | None = None
        self._plaintext_path: Path | None = None
        self._resolved = False

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

    def describe(self) -> str:
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
        """Raise :class:`KeyringUnavailable` unless the keyring can read and write secrets."""
        backend = self._require()
        try:
            backend.get_password(self.service, _PROBE_USER)
        except Exception as exc:
            raise self._failure("answer", "a test read", exc) from None

    def _failure(self, verb: str, what: str, exc: BaseException, *secrets: str) -> KeyringUnavailable:
        detail = _scrub(str(exc), secrets)
        return KeyringUnavailable(
            f"the keyring ({self.describe()}) did not {verb} for {what}: "
            f"{type(exc).__name__}{': ' + detail if detail else ''}",
            hint="Is the keyring unlocked? `linkdeck doctor` checks it.",
        )

    def get(self, username: str) -> str | None:
        backend = self._require()
        try:
            value = backend.get_password(self.service, username)
        except Exception as exc:
            raise self._failure("answer", username, exc) from None
        return value if isinstance(value, str) else None

    def set(self, username: str, value: str) -> None:
        backend = self._require()
        try:
            backend.set_password(self.service, username, value)
        except Exception as exc:
            raise self._failure("store", username, exc, value) from None
        if self._plaintext_path is not None:
            os.chmod(self._plaintext_path, 0o600)

    def delete(self, username: str) -> None:
        backend = self._require()
        try:
            backend.delete_password(self.service, username)
        except keyring.errors.PasswordDeleteError:
            return  # not there: nothing to delete
        except Exception as exc:
            raise self._failure("delete", username, exc) from None
