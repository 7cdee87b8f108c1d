"""config.toml's values are checked by type, every one: a string where a boolean belongs is refused
naming the key, the file and the type, never read as "true" because it is not empty. ``doctor``
lists every such problem; unknown keys are warnings; an unknown theme starts the TUI on the
default theme with a word why."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import config_file, outbox_config, settings
from providers.errors import SetupError
from tests.support.cli import cli_env, run_cli


def _config(home: Path, text: str) -> Path:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _env(home: Path) -> dict[str, str]:
    env = cli_env(home)
    env.pop("LINKDECK_ALLOW_PLAINTEXT_SECRETS")  # the file alone decides here
    return env


def test_a_quoted_false_never_turns_plaintext_secrets_on(linkdeck_home: Path) -> None:
    path = _config(linkdeck_home, '[keyring]\nallow_plaintext = "false"\n')
    with pytest.raises(SetupError) as caught:
        settings.load()
    message = str(caught.value)
    assert "[keyring] allow_plaintext" in message and str(path) in message and "boolean" in message
    for command in (("accounts",), ("doctor",), ("networks",)):
        result = run_cli(_env(linkdeck_home), *command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        output = result.stdout + result.stderr
        assert "allow_plaintext" in output and str(path) in output and "boolean" in output
        assert "Traceback" not in output


def _wrong(key: config_file.Key) -> list[object]:
    """Values of the wrong type for ``key``: always a list and a table; a string where it takes no
    string; a number where it takes a string."""
    wrong: list[object] = [[1], {"a": 1}]
    # (a key that takes only some strings, such as a Page id, is shown one by "1" or "off")
    takes_strings = any(key.accepts(text) for text in ("x", "send", "1", "off"))
    wrong.append(1 if takes_strings else "1")
    return wrong


CASES = [
    pytest.param(section, name, value, id=f"{section or 'top'}.{name}={value!r}")
    for section, keys in config_file.SCHEMA.items()
    for name, key in keys.items()
    for value in _wrong(key)
]


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {v}" for k, v in value.items()) + " }"
    return str(value)


@pytest.mark.parametrize(("section", "name", "value"), CASES)
def test_every_setting_refuses_a_value_of_the_wrong_type(
    linkdeck_home: Path, section: str, name: str, value: object
) -> None:
    header = "" if not section else f"[{section.replace('*', 'mastodon')}]\n"
    path = _config(linkdeck_home, f"{header}{name} = {_toml(value)}\n")
    loader = outbox_config.load if section == "outbox" else settings.load
    with pytest.raises(SetupError) as caught:
        loader()
    message = str(caught.value)
    assert f"{name} in {path} must be {config_file.SCHEMA[section][name].expected}" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[outbox]\nmax_attempts = 0\n", "[outbox] max_attempts"),
        ('[outbox]\nrelease_past_due = "later"\n', "[outbox] release_past_due"),
        ("[outbox]\nbackoff_seconds = nan\n", "[outbox] backoff_seconds"),
        ('[networks.mastodon]\nport = "9000"\n', "[networks.mastodon] port"),
        ("keyring = 1\n", "[keyring] in"),
    ],
)
def test_doctor_fails_on_what_the_commands_refuse(linkdeck_home: Path, text: str, expected: str) -> None:
    _config(linkdeck_home, text)
    doctor = run_cli(_env(linkdeck_home), "doctor")
    assert doctor.returncode == 2, doctor.stdout
    fails = [line for line in doctor.stdout.splitlines() if line.startswith("FAIL")]
    assert any(expected in line for line in fails), doctor.stdout
    command = ("worker", "--once") if expected.startswith("[outbox]") else ("accounts",)
    refused = run_cli(_env(linkdeck_home), *command)
    assert refused.returncode == 2 and expected in refused.stderr, refused.stderr


def test_doctor_lists_every_problem_and_warns_about_unknown_keys(linkdeck_home: Path) -> None:
    path = _config(
        linkdeck_home,
        'theme = "no-such-theme"\ncolour = 1\n[keyring]\nallow_plaintext = "yes"\n'
        "[outbox]\nmax_attempts = 0\nspeed = 3\n[extras]\na = 1\n",
    )
    lines = run_cli(_env(linkdeck_home), "doctor").stdout.splitlines()
    fails = [line for line in lines if line.startswith("FAIL")]
    warns = [line for line in lines if line.startswith("warn") and str(path) in line]
    assert len(fails) == 2 and "allow_plaintext" in fails[0] and "max_attempts" in fails[1]
    assert any("colour is not a setting" in w for w in warns)
    assert any("[outbox] speed is not a setting" in w for w in warns)
    assert any("[extras] is not a section" in w for w in warns)
    assert any("'no-such-theme'" in w and config_file.DEFAULT_THEME in w for w in warns)


def test_unknown_keys_are_ignored_by_the_commands(linkdeck_home: Path) -> None:
    _config(linkdeck_home, "[outbox]\ncolour = 1\nmax_attempts = 3\n[networks.mastodon]\nlogo = 1\n")
    assert outbox_config.load().max_attempts == 3
    assert settings.load().network("mastodon").port is None


def test_an_environment_opt_in_that_is_not_1_or_0_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "false")
    with pytest.raises(SetupError, match="LINKDECK_ALLOW_PLAINTEXT_SECRETS must be 1"):
        settings.load()


def test_the_theme_list_is_textuals() -> None:
    from textual.theme import BUILTIN_THEMES

    assert sorted(config_file.THEMES) == sorted(BUILTIN_THEMES)


async def test_an_unknown_theme_starts_the_tui_on_the_default_and_says_so(linkdeck_home: Path) -> None:
    from tests.support.tui import SIZE
    from tui.app import LinkdeckApp
    from tui.context import Context

    _config(linkdeck_home, 'theme = "no-such-theme"\n')
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == config_file.DEFAULT_THEME
        assert any("no-such-theme" in str(n.message) for n in app._notifications)
