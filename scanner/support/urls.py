"""An API endpoint URL given by the user, and the only part of it sovscan ever shows: its host.

An endpoint URL may carry what must never be printed: a user name and
password (``https://key:secret@host``) or a signed query string. Such a URL
is refused with a message that quotes none of it; an accepted one is shown
everywhere (reports, snapshots, errors) by its host alone.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

SCHEMES = ("https", "http")


class BadEndpoint(ValueError):
    """An endpoint URL that cannot be used; the message never quotes the URL's secrets."""


@dataclass(frozen=True)
class Endpoint:
    url: str  # as given, checked: scheme, host, optional port and path; no user, password, query or fragment
    scheme: str
    host: str  # lower-cased host name, without port: what reports show and the catalog matches

    def __str__(self) -> str:
        return self.host


def parse_endpoint(text: str) -> Endpoint:
    """The endpoint of ``text``, or ``BadEndpoint`` saying what is wrong (without echoing a user or password)."""
    raw = text.strip()
    try:
        parsed = urllib.parse.urlsplit(raw)
        _ = parsed.port  # raises on a port that is not a number
        host = parsed.hostname
    except ValueError:
        raise BadEndpoint("is not a URL sovscan can read; expected https://HOST[:PORT][/PATH]") from None
    if parsed.scheme.lower() not in SCHEMES:
        raise BadEndpoint("does not start with https:// or http://; expected https://HOST[:PORT][/PATH]")
    if parsed.username is not None or parsed.password is not None:
        raise BadEndpoint(
            f"for {host or 'its host'} carries a user name or password; give credentials through a profile or the environment, never in the URL"
        )
    if not host:
        raise BadEndpoint("names no host; expected https://HOST[:PORT][/PATH]")
    if parsed.query or parsed.fragment:
        raise BadEndpoint(f"for {host} carries a query string or fragment; expected https://HOST[:PORT][/PATH] without '?' or '#'")
    return Endpoint(raw, parsed.scheme.lower(), host.lower())
