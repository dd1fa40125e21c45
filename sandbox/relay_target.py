"""The relay function (functions/relay), run in this process as the target of the sandbox's
EventBridge rule: events from the emulated CloudFormation complete the healer's callbacks
through the local durable service, as the deployed rule and relay do in AWS."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.clients import client
from sandbox.functions import RELAY

SANDBOX_ACCOUNT = "123456789012"  # moto's default account: the sandbox's home account


class LocalRelay:
    """Calls the relay's handler logic with clients aimed at the sandbox (DynamoDB) and the
    durable service (Lambda callbacks). `results` keeps what every event led to."""

    def __init__(
        self,
        *,
        aws_endpoint: str,
        lambda_endpoint: str,
        region: str,
        table: str,
        home_account: str = SANDBOX_ACCOUNT,
        target_accounts: Iterable[str] = (),
    ) -> None:
        RELAY.put_on_path()
        from relay.aws import Clients  # noqa: PLC0415 - the relay lives outside the package
        from relay.handler import relay  # noqa: PLC0415
        from relay.matching import Accounts  # noqa: PLC0415

        # Whose events it believes: the sandbox's own account (moto's default) and, like
        # TARGET_ACCOUNT_IDS in the template, the target accounts given.
        self.accounts = Accounts(home=home_account, targets=frozenset(target_accounts))

        self._relay: Callable[..., dict[str, Any]] = relay
        self._clients = Clients(
            dynamodb=client("dynamodb", aws_endpoint, region),
            lambda_=client("lambda", lambda_endpoint, region),
        )
        self.table = table
        self.results: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        result = self._relay(event, self._clients, self.table, self.accounts)
        with self._lock:
            self.results.append(result)
        return result

    def woken(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.results if r.get("action") == "woke"]
