"""What Flickr's sign-in and publisher share: the REST and upload addresses, reading Flickr's
answers (JSON from the REST API, XML from the upload API), signing, and the addresses of a
person's buddy icon and of a photo's page.

Flickr answers a refusal with **HTTP 200** and ``stat="fail"``: ``{"stat": "fail", "code": 98,
"message": "Invalid auth token"}`` from the REST API (``format=json&nojsoncallback=1``) and
``<rsp stat="fail"><err code="8" msg="Filesize was too large" /></rsp>`` from the upload API,
which always answers XML. :func:`read_rsp` turns either into the JSON shape (XML attributes are
keys, element text is ``_content``, as Flickr's own JSON renders them), so one reader serves both,
and the recorded XML answers (tests/fixtures/recorded/flickr) replay through it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from xml.etree import ElementTree

if TYPE_CHECKING:
    import httpx2

REST = "https://api.flickr.com/services/rest/"
UPLOAD = "https://up.flickr.com/services/upload/"
WWW = "https://www.flickr.com"
DEFAULT_ICON = "https://www.flickr.com/images/buddyicon.gif"
# Not in the reference: Flickr's pages do not state a title limit. 255 is the longest title
# linkdeck sends; a longer first line is shortened and kept whole at the head of the description.
TITLE_LIMIT = 255


def rest_params(method: str, **params: str) -> dict[str, str]:
    """A REST call's query: the method, JSON without the JSONP wrapper, and its parameters."""
    return {"method": method, "format": "json", "nojsoncallback": "1", **params}


def _element(node: ElementTree.Element) -> Any:
    """One XML element the way Flickr's JSON renders it."""
    value: dict[str, Any] = dict(node.attrib)
    children = list(node)
    if node.text and node.text.strip() and not children:
        if not value:
            return {"_content": node.text.strip()}
        value["_content"] = node.text.strip()
    for child in children:
        rendered = _element(child)
        if child.tag in value:  # repeated elements become a list
            current = value[child.tag]
            value[child.tag] = [*current, rendered] if isinstance(current, list) else [current, rendered]
        else:
            value[child.tag] = rendered
    return value


def parse_rsp(text: str) -> dict[str, Any] | None:
    """Flickr's answer (JSON, or the ``<rsp>`` XML) as a dict with ``stat``; None when it is
    neither. An XML ``<err code msg/>`` becomes ``code`` and ``message`` as in the JSON."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            body = json.loads(stripped)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
    try:
        root = ElementTree.fromstring(stripped.encode("utf-8"))
    except ElementTree.ParseError:
        return None
    if root.tag != "rsp":
        return None
    body = {"stat": root.get("stat", "")}
    for child in root:
        if child.tag == "err":
            code = child.get("code", "")
            body["code"] = int(code) if code.isdigit() else code
            body["message"] = child.get("msg", "")
        else:
            body[child.tag] = _element(child)
    return body


def read_rsp(response: httpx2.Response) -> dict[str, Any] | None:
    return parse_rsp(response.text)


def failure(body: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(code, message) of a ``stat: fail`` answer; None when it is not one."""
    if not body or body.get("stat") != "fail":
        return None
    return str(body.get("code", "")), str(body.get("message", ""))


def content(value: Any) -> str:
    """A Flickr JSON text (``{"_content": "…"}``) or a plain value, as a string."""
    if isinstance(value, Mapping):
        value = value.get("_content")
    return "" if value is None else str(value)


def as_list(value: Any) -> list[Any]:
    """Flickr's XML gives one element where its JSON gives a one-item list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def buddyicon(nsid: str, iconfarm: Any, iconserver: Any) -> str:
    """The buddy icon's address; Flickr's default icon when the person has none (iconserver 0)."""
    server = str(iconserver or "0")
    if not server.isdigit() or int(server) <= 0:
        return DEFAULT_ICON
    return f"https://farm{iconfarm}.staticflickr.com/{server}/buddyicons/{nsid}.jpg"


def photo_page(nsid: str, photo_id: str) -> str:
    return f"{WWW}/photos/{nsid}/{photo_id}/"


def authorization(
    method: str,
    url: str,
    fields: Mapping[str, str],
    *,
    consumer: tuple[str, str],
    token: tuple[str, str],
) -> str:
    """The OAuth 1.0a ``Authorization`` header (HMAC-SHA1) for a request whose parameters are
    ``fields``. An upload sends them as multipart fields: Flickr signs them as if they were a form,
    and the file is not part of the signature (authlib's ClientAuth signs the form)."""
    from authlib.oauth1 import ClientAuth

    auth = ClientAuth(consumer[0], consumer[1], token=token[0], token_secret=token[1])
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _, signed, _ = auth.prepare(method, url, headers, urlencode(list(fields.items())))
    return str(signed["Authorization"])
