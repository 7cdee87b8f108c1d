#!/usr/bin/env bash
# Run a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service, so
# the tests marked `keyring` run against a real keyring and nothing touches the user's own one.
#
#   tests/with_keyring.sh .venv/bin/python -m pytest -q -rs
#
# XDG_DATA_HOME and XDG_RUNTIME_DIR point at fresh temporary folders (removed afterwards), so the
# keyring files never land in the real $HOME. The daemon exits with the session. The exit status is
# the command's. Override the unlock password with LINKDECK_TEST_KEYRING_PASSWORD (must be
# non-empty: with an empty one no login collection is created and SecretStorage waits for a prompt).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]   (e.g. $0 .venv/bin/python -m pytest -q -rs)" >&2
    exit 2
fi

missing=()
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "with_keyring.sh: ${missing[*]} not found; the keyring tests need a D-Bus session and gnome-keyring." >&2
    echo "  Debian/Ubuntu: apt-get install -y --no-install-recommends dbus gnome-keyring" >&2
    exit 127
fi

password="${LINKDECK_TEST_KEYRING_PASSWORD:-ci-pass}"
if [ -z "$password" ]; then
    echo "with_keyring.sh: LINKDECK_TEST_KEYRING_PASSWORD must not be empty" >&2
    exit 2
fi

XDG_DATA_HOME="$(mktemp -d)"
XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_DATA_HOME XDG_RUNTIME_DIR LINKDECK_TEST_KEYRING_PASSWORD="$password"
trap 'rm -rf "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"' EXIT

# Inside the session: start and unlock the daemon (it stays up in the background until the
# session ends), then run the command given to this script.
dbus-run-session -- sh -c '
    if ! printf "%s" "$LINKDECK_TEST_KEYRING_PASSWORD" \
            | gnome-keyring-daemon --unlock --components=secrets >/dev/null; then
        echo "with_keyring.sh: gnome-keyring-daemon failed to start or unlock" >&2
        exit 1
    fi
    unset LINKDECK_TEST_KEYRING_PASSWORD
    exec "$@"
' with_keyring "$@"
