"""Which cloud and region an S3-compatible endpoint belongs to, and how its failures are told.

The cloud and region come from the catalog's ``detect.endpoints`` through
``Catalog.for_endpoint``, the matcher ``locate`` uses for Terraform's
S3-compatible ``endpoints {}``: ``s3.fr-par.scw.cloud`` is Scaleway fr-par,
``s3.gra.io.cloud.ovh.net`` OVHcloud gra. ``--cloud`` and ``--region`` (or
``cloud:``/``region:`` in .sovscan.yml) override it for private endpoints. An
endpoint the catalog does not know stays unknown: its buckets are judged as
an unknown cloud, never passed.

Nothing here prints an endpoint's URL: errors and reports name its host,
and every message quoted from a server goes through ``Redactor``, which
blanks the session's own access key, secret and token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.model import Unknown
from scanner.policy.catalog import Catalog
from scanner.sources.aws.collector import ACCESS_DENIED, THROTTLED
from scanner.support.urls import Endpoint

API = "s3"
UNSIGNED_REGION = "us-east-1"  # what S3-compatible servers without regions expect in a signature
# Error codes of an operation the endpoint does not implement (S3: NotImplemented is 501, MethodNotAllowed 405).
NOT_IMPLEMENTED = frozenset({"NotImplemented", "NotImplementedError", "XNotImplemented", "MethodNotAllowed", "501", "405"})
CREDENTIALS_REFUSED = frozenset({
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "InvalidClientTokenId", "AuthorizationHeaderMalformed", "401",
})
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """One endpoint to audit, resolved before any call is made."""

    endpoint: Endpoint
    profile: str | None
    region: str | None  # where its buckets are unless they say otherwise: --region, else the host's catalog region
    cloud: str | None  # catalog provider id: --cloud, else the one whose detect.endpoints match the host
    cloud_given: bool  # --cloud (or cloud:) named it: the host alone decides nothing
    host_region: str | None  # the region the matching catalog pattern reads from the host, if any

    @property
    def host(self) -> str:
        return self.endpoint.host

    @property
    def signing_region(self) -> str:
        return self.region or UNSIGNED_REGION

    @property
    def where(self) -> str:
        """The ``file`` of this endpoint's errors: ``s3:HOST``."""
        return f"{API}:{self.host}"


def resolve_target(endpoint: Endpoint, catalog: Catalog, profile: str | None = None, region: str | None = None, cloud: str | None = None) -> Target:
    """The cloud and region of ``endpoint``: given ones first, else the catalog's ``detect.endpoints``."""
    found = catalog.for_endpoint(endpoint.host)
    matched, host_region = (found[0].id, found[1]) if found else (None, None)
    return Target(endpoint, profile, region or host_region, cloud or matched, cloud is not None, host_region if cloud is None else None)


def placement_hints(target: Target, region: str | Unknown) -> dict[str, str]:
    """What tells ``locate`` who operates a bucket (or a copy) located in ``region``.

    The endpoint host is always recorded. ``locate`` lets a region read from
    the host win over the resource's own, so when the bucket lies elsewhere
    (or its location is unknown) the cloud is pinned instead and the region
    stays the bucket's; a cloud given on the command line is always pinned.
    """
    hints = {"endpoint": target.host}
    if target.cloud is None:
        return hints
    if target.cloud_given:
        hints["cloud"] = target.cloud
    elif target.host_region is not None and (isinstance(region, Unknown) or region.lower() != target.host_region.lower()):
        hints["cloud"] = target.cloud
    return hints


class Redactor:
    """Blanks the credentials of a session in any text before it is shown."""

    def __init__(self, secrets: Iterable[str | None]):
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    @classmethod
    def of_session(cls, session: Any) -> Redactor:
        try:
            credentials = session.get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials is not None else None
        except Exception:  # a credential provider that fails here fails again at the first call, where it is reported
            frozen = None
        return cls((frozen.access_key, frozen.secret_key, frozen.token) if frozen is not None else ())

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "(redacted)")
        return text


@dataclass(frozen=True)
class Failure:
    """A failed call told in one sentence: its error code, and which kind of failure it is."""

    code: str
    text: str
    kind: str  # not-implemented | refused (credentials) | denied | throttled | unreachable | other


def describe(exc: Exception, target: Target, operation: str, timeout: float, redact: Redactor) -> Failure:
    """One sentence for a botocore failure; it names the host, never the URL, a query or a credential."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        status = str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        code = str(response["Error"].get("Code") or status or "error")
        message = _no_urls(redact(str(response["Error"].get("Message") or "").strip()))[:300]
        text = f"{operation} answered {code}" + (f" ({message})" if message else "")
        if code in NOT_IMPLEMENTED or status in ("501", "405"):
            return Failure(code, text, "not-implemented")
        if code in CREDENTIALS_REFUSED:
            hint = f"; the requests are signed for region {target.signing_region}: give the endpoint's region" if code == "AuthorizationHeaderMalformed" else ""
            return Failure(code, f"{text}; the credentials were refused{hint}", "refused")
        if code in ACCESS_DENIED:
            return Failure(code, text, "denied")
        if code in THROTTLED:
            return Failure(code, f"{text}; still throttled after botocore's retries", "throttled")
        return Failure(code, text, "other")
    return _transport(exc, target, operation, timeout, redact)


def _transport(exc: Exception, target: Target, operation: str, timeout: float, redact: Redactor) -> Failure:
    from botocore import exceptions as botocore

    name = type(exc).__name__
    host = target.host
    if isinstance(exc, botocore.ConnectTimeoutError):
        return Failure(name, f"{operation}: connecting to {host} timed out after {timeout:g} s", "unreachable")
    if isinstance(exc, botocore.ReadTimeoutError):
        return Failure(name, f"{operation}: {host} did not answer within {timeout:g} s", "unreachable")
    if isinstance(exc, botocore.SSLError):
        return Failure(name, f"{operation}: the TLS connection to {host} failed ({_first_line(exc, redact)})", "unreachable")
    if isinstance(exc, botocore.ProxyConnectionError):
        return Failure(name, f"{operation}: the proxy to {host} could not be reached", "unreachable")
    if isinstance(exc, (botocore.EndpointConnectionError, botocore.ConnectionClosedError)):
        return Failure(name, f"{operation}: cannot connect to {host} (refused, no route or closed)", "unreachable")
    if isinstance(exc, (botocore.NoCredentialsError, botocore.PartialCredentialsError)):
        return Failure(name, f"{operation}: no credentials for {host}; give --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", "refused")
    if isinstance(exc, botocore.CredentialRetrievalError):
        return Failure(name, f"{operation}: the credentials of profile {target.profile or 'default'} could not be obtained", "refused")
    if type(exc).__module__.startswith("botocore.parsers"):
        return Failure(name, f"{operation}: {host} gave an answer that is not an S3 one (is this an S3 endpoint?)", "other")
    return Failure(name, f"{operation}: {name}: {_first_line(exc, redact)}", "other")


def _first_line(exc: Exception, redact: Redactor) -> str:
    return _no_urls(redact((str(exc).strip().splitlines() or [""])[0]))[:200]


def _no_urls(text: str) -> str:
    """URLs in a message (botocore quotes the request's, query included) become their host."""
    from urllib.parse import urlsplit

    def host(match: re.Match) -> str:
        try:
            return urlsplit(match.group(0)).hostname or "(url)"
        except ValueError:
            return "(url)"

    return _URL.sub(host, text)
