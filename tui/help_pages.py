"""Help pages: the Markdown guides in ``tui/help`` plus one page per network from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from providers import catalog, networks
from providers.errors import LinkdeckError
from providers.overview import not_built_reason
from providers.spec import NetworkSpec

HELP_DIR = Path(__file__).parent / "help"

# (topic id, title, file) for the hand-written guides, in the order they are listed.
GUIDES: tuple[tuple[str, str, str], ...] = (
    ("start", "Getting started", "index.md"),
    ("ssh", "Linking over SSH", "ssh.md"),
    ("troubleshooting", "Troubleshooting", "troubleshooting.md"),
    ("keys", "Keys", "keys.md"),
)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str

    def markdown(self) -> str:
        for topic_id, _title, file in GUIDES:
            if topic_id == self.id:
                text = (HELP_DIR / file).read_text(encoding="utf-8")
                return text.replace("{linkable}", linkable_today())
        return network_page(catalog.get(self.id.removeprefix("network:")))


def linkable_today() -> str:
    """The networks this version links, in display order ("Mastodon, Pixelfed and Bluesky")."""
    names = [s.name for s in catalog.all_networks() if networks.can_link(s.id)]
    return ", ".join(names[:-1]) + (f" and {names[-1]}" if len(names) > 1 else "".join(names))


def topics() -> list[Topic]:
    guides = [Topic(topic_id, title) for topic_id, title, _ in GUIDES]
    return guides + [Topic(f"network:{spec.id}", spec.name) for spec in catalog.all_networks()]


def network_page(spec: NetworkSpec) -> str:
    caps = spec.capabilities
    built = networks.can_link(spec.id)
    lines = [f"# {spec.name}", "", spec.summary, ""]
    if spec.availability != "available":
        lines += [f"> **{spec.availability.value.capitalize()}:** {spec.availability_reason}", ""]
    elif not built:
        lines += [
            f"> **Not in this version:** {not_built_reason(spec)} This page says what {spec.name} "
            "allows and how linking it will work; there is nothing to set up yet.",
            "",
        ]
    lines += ["## What it needs", ""]
    if caps.needs_developer_app:
        from providers import settings as settings_module
        from providers.redirects import redirect_to_register

        env = spec.id.upper().replace("-", "_")
        try:
            settings = settings_module.load()
        except LinkdeckError:  # a broken config.toml: show the spec's own redirect
            settings = settings_module.Settings()
        lines.append(
            f"Your own developer app. Put its client id in `LINKDECK_{env}_CLIENT_ID` or in "
            f"`config.toml` under `[networks.{spec.id}]` as `client_id`"
            + (
                f", and its secret in the keyring with `linkdeck config set-secret {spec.id}`."
                if caps.needs_client_secret
                else "."
            )
        )
        lines += ["", f"Redirect URI to register in the app: `{redirect_to_register(spec, settings)}`"]
    elif caps.per_instance:
        lines.append("Only the address of your server; linkdeck registers itself there.")
    else:
        lines.append("Nothing beyond your account.")
    lines += ["", "## How linking works", "", _routes(spec), ""]
    if spec.targets and any(t.value != "profile" for t in spec.targets):
        kinds = ", ".join(t.value.replace("_", " ") for t in spec.targets)
        lines += [f"Posts go to a chosen target: {kinds}. Change it from the card's details.", ""]
    if spec.token_lifetime:
        lines += [f"Access lasts: {spec.token_lifetime}.", ""]
    if spec.notes:
        lines += ["## Good to know", ""] + [f"- {note}" for note in spec.notes] + [""]
    extra = HELP_DIR / "networks" / f"{spec.id}.md"
    if extra.exists():
        lines += [extra.read_text(encoding="utf-8"), ""]
    if spec.setup_guide and built:
        lines += ["## Set-up", "", spec.setup_guide, ""]
    url = spec.settings_url.replace("{instance}", "https://your.server")
    removing = (
        f"{spec.name} has no call that revokes access: unlinking forgets the token; to end the "
        f"access there too, {spec.revoke_by_hand}"
        if spec.revoke_by_hand
        else f"Unlinking revokes linkdeck's access where {spec.name} allows it."
    )
    lines += ["## Removing access", "", f"{removing} You can always remove it yourself at {url}", ""]
    if spec.docs_url:
        lines.append(f"Official documentation: {spec.docs_url}")
    return "\n".join(lines)


def _routes(spec: NetworkSpec) -> str:
    caps = spec.capabilities
    routes = []
    if spec.auth.value == "oauth2" or spec.auth.value == "oauth1":
        routes.append("its own sign-in page opens in your browser")
        if caps.loopback_redirect:
            routes.append("the answer comes back to linkdeck on this computer")
        if caps.paste_back:
            routes.append("or you paste the final address (or code) back")
        if caps.device_flow:
            routes.append("or you type a short code on its device page")
    elif spec.auth.value == "app_password":
        routes.append("you enter your handle and an app password created in its settings")
    elif spec.auth.value == "bot_token":
        routes.append("you paste a bot token")
    elif spec.auth.value == "api_key":
        routes.append("you give your API key; networks are then linked on its hosted page")
    return "Linking: " + ", ".join(routes) + "."
