"""boto3 clients for one account, made from the session the CLI handed in.

Clients are thread-safe once made, but making them from one session is not
(https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html#multithreading-or-multiprocessing-with-clients),
so creation is serialised by a lock shared by every account. An assumed
role's credentials are passed to the client, not to a new session, so the
session's event hooks (the tests' call counter) see every call. botocore's
adaptive retry mode backs off on throttling and rate-limits the client
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

MAX_ATTEMPTS = 8  # per call, the first one included


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials of an assumed role. Never printed: no __str__ shows them."""

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str = field(repr=False)


class ClientMaker:
    """Makes and caches clients per (account, service, region) from one boto3 session."""

    def __init__(
        self,
        session: Any,
        endpoint_url: str | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        pool_size: int = 10,
        connect_timeout: float = 10,
        read_timeout: float = 60,
        path_style: bool = False,
    ):
        from botocore.config import Config

        self.session = session
        self.endpoint_url = endpoint_url
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_pool_connections=pool_size,
            user_agent_extra="sovscan",
            # Path-style S3 requests (https://HOST/BUCKET) reach every S3-compatible server, including private ones
            # without wildcard DNS or certificates for bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
            s3={"addressing_style": "path"} if path_style else None,
        )
        self._lock = threading.Lock()
        self._clients: dict[tuple, Any] = {}

    def client(self, service: str, region: str, account: str = "", credentials: Credentials | None = None, endpoint_url: str | None = None) -> Any:
        """A client for ``account`` (its assumed-role ``credentials``, or the session's own when None)."""
        key = (account, service, region, endpoint_url)
        with self._lock:
            made = self._clients.get(key)
            if made is None:
                keys = {}
                if credentials is not None:
                    keys = {"aws_access_key_id": credentials.access_key, "aws_secret_access_key": credentials.secret_key, "aws_session_token": credentials.token}
                made = self.session.client(service, region_name=region, endpoint_url=endpoint_url or self.endpoint_url, config=self.config, **keys)
                self._clients[key] = made
            return made

    def forget(self, account: str) -> None:
        """Drop an account's clients once its audit is done (thousands of accounts, bounded memory)."""
        with self._lock:
            for key in [k for k in self._clients if k[0] == account]:
                del self._clients[key]
