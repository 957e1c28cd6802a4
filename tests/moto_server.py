"""A real moto server on 127.0.0.1, and a small fault-injecting proxy in front of it.

``moto_server`` (from moto[server]) runs as a subprocess on a free port and is
reached over HTTP, as sovscan reaches AWS through ``--endpoint-url``. Import
the fixtures into a test module::

    from tests.moto_server import moto, moto_server, fault_proxy  # noqa: F401

``moto`` resets the server's state before each test. ``FaultProxy`` answers
like AWS does when IAM denies a region (``AccessDenied`` in the protocol of
the service called), denies assuming given roles, throttles the first calls
of a region, and can rename the region of the SigV4 credential scope so that
moto (which only knows AWS regions) can stand in for Outscale's FCU and OOS.
moto does not check signatures, so the renamed scope is accepted.

The proxy is also an HTTP forward proxy (``HTTP_PROXY``): a request for
``http://s3.fr-par.scw.cloud/…`` reaches it with that absolute URL, is
recorded in ``hosts`` and goes to moto, so the catalog sees a real provider
host while every byte stays on 127.0.0.1. For S3-compatible clouds it can
answer as an endpoint that does not implement an operation (501
NotImplemented, 405 MethodNotAllowed), deny one bucket's subresource, refuse
an access key, and show each host only its own buckets. ``free_port()`` is an
endpoint that refuses connections, ``SilentServer`` one that never answers.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_SCOPE = re.compile(r"(Credential=[^/,\s]+/\d{8}/)([^/]+)(/)([^/]+)(/aws4_request)")
# Services by the protocol of their error bodies (botocore's service models).
_JSON = {"tagging", "dynamodb", "kms", "organizations"}
_REST_JSON = {"lambda", "elasticfilesystem", "backup"}
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")
_LISTED_BUCKET = re.compile(rb"<Bucket><Name>([^<]*)</Name>.*?</Bucket>", re.DOTALL)
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url}")


class MotoServer:
    """``moto_server -H 127.0.0.1 -p PORT`` in a subprocess."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        script = Path(sys.executable).with_name("moto_server")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "moto.server"]
        env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}  # no public AMI snapshots in "self"
        env.pop("MOTO_ACCOUNT_ID", None)
        self.process = subprocess.Popen(command + ["-H", "127.0.0.1", "-p", str(self.port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for(self.url, self.process)
        except Exception:
            self.stop()
            raise

    def reset(self) -> None:
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class FaultProxy(ThreadingHTTPServer):
    """Forwards to moto, except what it is told to refuse."""

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_port = upstream_port
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.denied_regions: set[str] = set()
        self.denied_services: set[str] = set()  # signing names (ec2, s3, tagging…) denied in every region
        self.denied_roles: set[str] = set()  # RoleArn values whose AssumeRole is refused
        self.throttle: dict[tuple[str, str], int] = {}  # (region, signing service) -> throttled calls left
        self.region_aliases: dict[str, str] = {}  # region in the credential scope -> region moto knows
        self.seen: list[tuple[str, str]] = []  # (region, service) of every request, before aliasing
        self.hosts: list[str] = []  # the host of every request that came as a forward proxy's absolute URL
        self.unsupported: dict[tuple[str, str], str] = {}  # (host or "*", S3 subresource) -> NotImplemented | MethodNotAllowed
        self.denied_subresources: set[tuple[str, str]] = set()  # (bucket, S3 subresource such as "tagging") answered AccessDenied
        self.refused_keys: set[str] = set()  # access key ids answered InvalidAccessKeyId (the message quotes the key, as some servers do)
        self.visible: dict[str, set[str]] = {}  # host -> the buckets its ListBuckets shows (hosts not here show every bucket)
        self.latency = 0.0  # seconds added to every answer, as a distant endpoint would (benchmarks)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        scope = _SCOPE.search(headers.get("Authorization", ""))
        region, service = (scope.group(2), scope.group(4)) if scope else ("", "")
        proxy = self.server
        host, path = "", self.path
        if "://" in self.path:  # a forward proxy's request: the absolute URL of the real host
            target = urllib.parse.urlsplit(self.path)
            host, path = target.hostname or "", target.path + (f"?{target.query}" if target.query else "")
            headers = {k: v for k, v in headers.items() if k.lower() != "host"}
            headers["Host"] = f"127.0.0.1:{proxy.upstream_port}"
        with proxy._lock:
            proxy.seen.append((region, service))
            if host:
                proxy.hosts.append(host)
            throttled = proxy.throttle.get((region, service), 0) > 0
            if throttled:
                proxy.throttle[(region, service)] -= 1
        if proxy.latency:
            time.sleep(proxy.latency)
        if service == "s3":
            fault = self._s3_fault(host, path, headers)
            if fault is not None:
                return self._error("s3", *fault)
        if region in proxy.denied_regions or service in proxy.denied_services:
            return self._error(service, 403, "AccessDenied", f"User is not authorized to perform this action in region {region} (explicit deny)")
        if service == "sts" and b"Action=AssumeRole" in body:
            role = urllib.parse.parse_qs(body.decode()).get("RoleArn", [""])[0]
            if role in proxy.denied_roles:
                return self._error(service, 403, "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role}")
        if throttled:
            return self._error(service, 400, "Throttling", "Rate exceeded")
        if region in proxy.region_aliases and scope:
            headers["Authorization"] = _SCOPE.sub(lambda m: m.group(1) + proxy.region_aliases[region] + m.group(3) + m.group(4) + m.group(5), headers["Authorization"])
        listing = service == "s3" and self.command == "GET" and path.split("?")[0] in ("", "/")
        page = None
        if listing and "max-buckets=" in path:
            # moto truncates at max-buckets without a continuation token; page as S3 does instead.
            query = urllib.parse.parse_qs(path.partition("?")[2])
            page = (int(query.get("continuation-token", ["0"])[0]), int(query["max-buckets"][0]))
            path = "/"
        connection = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
        try:
            connection.request(self.command, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            if listing and host in proxy.visible:
                payload = _only_buckets(payload, proxy.visible[host])
            if listing and page is not None:
                payload = _page_of_buckets(payload, *page)
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in _HOP_HEADERS and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        finally:
            connection.close()

    def _s3_fault(self, host: str, path: str, headers: dict[str, str]) -> tuple[int, str, str] | None:
        """(status, code, message) when the proxy answers an S3 request itself, as a compatible server would."""
        proxy = self.server
        key = _ACCESS_KEY.search(headers.get("Authorization", ""))
        if key and key.group(1) in proxy.refused_keys:
            return 403, "InvalidAccessKeyId", f"The access key {key.group(1)} does not exist in our records"
        bucket, _, query = path.lstrip("/").partition("?")
        subresource = query.split("=")[0].split("&")[0]
        unsupported = proxy.unsupported.get((host, subresource)) or proxy.unsupported.get(("*", subresource))
        if unsupported == "NotImplemented":
            return 501, "NotImplemented", "A header or query you provided implies functionality that is not implemented"
        if unsupported == "MethodNotAllowed":
            return 405, "MethodNotAllowed", "The specified method is not allowed against this resource"
        if (bucket.split("/")[0], subresource) in proxy.denied_subresources:
            return 403, "AccessDenied", "Access Denied"
        return None

    def _error(self, service: str, status: int, code: str, message: str) -> None:
        if service in _JSON or service in _REST_JSON:
            code = {"AccessDenied": "AccessDeniedException", "Throttling": "ThrottlingException"}[code]
            payload = json.dumps({"__type": code, "message": message}).encode()
            content_type = "application/x-amz-json-1.1" if service in _JSON else "application/json"
            extra = {"x-amzn-ErrorType": code}
        else:
            if service == "ec2":
                code = {"AccessDenied": "UnauthorizedOperation", "Throttling": "RequestLimitExceeded"}[code]
                xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>proxy</RequestID></Response>"
            elif service == "s3":
                xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>proxy</RequestId></Error>"
            else:
                xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
            payload = xml.encode()
            content_type = "text/xml"
            extra = {}
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


def _only_buckets(payload: bytes, names: set[str]) -> bytes:
    """A ListBuckets answer keeping only ``names``: what one region's endpoint of a cloud shows."""
    return _LISTED_BUCKET.sub(lambda m: m.group(0) if m.group(1).decode() in names else b"", payload)


def _page_of_buckets(payload: bytes, start: int, size: int) -> bytes:
    """Buckets ``start`` to ``start + size`` of a ListBuckets answer, with the token of the next page if any."""
    entries = [m.group(0) for m in _LISTED_BUCKET.finditer(payload)]
    kept = iter(range(len(entries)))
    page = _LISTED_BUCKET.sub(lambda m: m.group(0) if start <= next(kept) < start + size else b"", payload)
    if start + size < len(entries):
        page = page.replace(b"</ListAllMyBucketsResult>", f"<ContinuationToken>{start + size}</ContinuationToken></ListAllMyBucketsResult>".encode())
    return page


class SilentServer:
    """An endpoint that accepts connections and never answers: a read times out."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def stop(self) -> None:
        self.socket.close()


@pytest.fixture(scope="session")
def moto_server():
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def moto(moto_server, monkeypatch):
    """A clean moto server, and an environment where boto3 reads no user configuration."""
    moto_server.reset()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTMANAGEMENT01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "management-secret-never-printed")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_server


@pytest.fixture
def fault_proxy(moto):
    proxy = FaultProxy(moto.port)
    yield proxy
    proxy.stop()
