"""The approval page on a local port: the same handler code (functions/approval_page) that
Lambda runs behind its Function URL, called in-process with a Function URL event.

    page = ApprovalPage.start(env)        # env: AWS endpoint, APPROVAL_SECRET_ARN, ...
    page.url                              # http://127.0.0.1:PORT/  (APPROVAL_PAGE_URL)
    create_signing_secret(client)         # the key the template would generate
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.functions import APPROVAL_PAGE
from sandbox.inprocess_handler import ENV_LOCK, patched_environ

SECRET_NAME = "drift-healer/approval-signing-key"


def create_signing_secret(secretsmanager: Any, name: str = SECRET_NAME) -> str:
    """A random signing key in Secrets Manager (as the template's GenerateSecretString);
    its name (GetSecretValue takes the name or the ARN) survives a sandbox reset."""
    with contextlib.suppress(secretsmanager.exceptions.ResourceExistsException):
        secretsmanager.create_secret(Name=name, SecretString=secrets.token_hex(32))
    return name


def load_page_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = APPROVAL_PAGE.load()
    return handler


def function_url_event(
    method: str, raw_path: str, body: bytes, headers: dict[str, str], source_ip: str
) -> dict[str, Any]:
    """Payload format 2.0, as a Lambda Function URL sends it (body base64-encoded)."""
    split = urlsplit(raw_path)
    query = {k: v[-1] for k, v in parse_qs(split.query).items()}
    return {
        "version": "2.0",
        "rawPath": split.path,
        "rawQueryString": split.query,
        "queryStringParameters": query or None,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {"http": {"method": method, "path": split.path, "sourceIp": source_ip}},
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


class ApprovalPage:
    """A local HTTP server that turns requests into Function URL events for the page."""

    def __init__(self, env: dict[str, str], host: str = "127.0.0.1", port: int = 0) -> None:
        self.env = env  # read per request: the durable endpoint may be filled in later
        handler = load_page_handler()
        page = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                event = function_url_event(
                    self.command, self.path, body, dict(self.headers), self.client_address[0]
                )
                with ENV_LOCK, patched_environ(page.env):
                    try:
                        response = handler(event, None)
                    except Exception as problem:  # what Lambda would log and answer 502 for
                        response = {"statusCode": 502, "body": f"page failed: {problem}"}
                data = str(response.get("body") or "").encode()
                self.send_response(int(response.get("statusCode", 200)))
                for key, value in (response.get("headers") or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _serve  # noqa: N815

        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @classmethod
    def start(cls, env: dict[str, str], host: str = "127.0.0.1", port: int = 0) -> ApprovalPage:
        page = cls(env, host, port)
        page._thread.start()
        return page

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
