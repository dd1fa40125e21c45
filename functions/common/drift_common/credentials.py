"""Credentials for a target account: STS AssumeRole of its execution role, kept in memory only.

The role is `arn:aws:iam::<account>:role/<EXECUTION_ROLE_NAME>` (default
`cfn-drift-healer-target`, templates/target-account.yaml), like a StackSet's execution role.
Assumed credentials are never returned from a durable step nor logged: a replay (a new
invocation, maybe a new process) assumes the role again. They are reused within a process
until five minutes before they expire.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_ROLE_NAME = "cfn-drift-healer-target"
_REFRESH_BEFORE = timedelta(minutes=5)

_lock = threading.Lock()
_held: dict[tuple[str, str], dict[str, Any]] = {}


def role_arn(account_id: str, partition: str = "aws") -> str:
    name = os.environ.get("EXECUTION_ROLE_NAME") or DEFAULT_ROLE_NAME
    return f"arn:{partition}:iam::{account_id}:role/{name}"


def fresh_credentials(sts: Any, account_id: str, session_name: str) -> dict[str, Any]:
    """The target role's credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration),
    assumed with `sts` when none are held or they expire within five minutes."""
    arn = role_arn(account_id)
    with _lock:
        held = _held.get((arn, session_name))
        if held and held["Expiration"] - _REFRESH_BEFORE > datetime.now(UTC):
            return held
        held = dict(sts.assume_role(RoleArn=arn, RoleSessionName=session_name)["Credentials"])
        _held[(arn, session_name)] = held
        return held
