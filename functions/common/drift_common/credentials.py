"""Credentials for a target account: STS AssumeRole of its execution role, kept in memory only.

The role is `arn:aws:iam::<account>:role/<EXECUTION_ROLE_NAME>` (default
`cfn-drift-healer-target`, templates/target-account.yaml), like a StackSet's execution role.
Assumed credentials are never returned from a durable step nor logged: a replay (a new
invocation, maybe a new process) assumes the role again. They are reused within a process
until five minutes before they expire.

Only accounts listed in TARGET_ACCOUNT_IDS (comma-separated; template parameter
TargetAccountIds) are ever assumed: an event's AccountId is chosen by whoever sends it, so a
run pointed at any other account is refused before STS is asked. Unset means none: the
functions then act in their own account only. IAM enforces the same list (template.yaml).
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_ROLE_NAME = "cfn-drift-healer-target"
ALLOW_LIST = "TARGET_ACCOUNT_IDS"
_ACCOUNT_ID = re.compile(r"\d{12}")
_REFRESH_BEFORE = timedelta(minutes=5)

_lock = threading.Lock()
_held: dict[tuple[str, str], dict[str, Any]] = {}


def role_arn(account_id: str, partition: str = "aws") -> str:
    name = os.environ.get("EXECUTION_ROLE_NAME") or DEFAULT_ROLE_NAME
    return f"arn:{partition}:iam::{account_id}:role/{name}"


class AccountNotAllowedError(PermissionError):
    """The account is not one this function may act in; the message says why."""


def parse_account_ids(text: str) -> tuple[str, ...]:
    """`111122223333, 444455556666` -> the ids; blank entries are dropped. ValueError names
    an entry that is not a 12-digit account id."""
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    bad = [part for part in ids if not _ACCOUNT_ID.fullmatch(part)]
    if bad:
        msg = f"{', '.join(map(repr, bad))}: expected 12-digit account ids, comma-separated"
        raise ValueError(msg)
    return ids


def account_problem(account_id: str) -> str | None:
    """Why the execution role of `account_id` may not be assumed (None: it may). A list that
    cannot be read allows nothing."""
    try:
        allowed = parse_account_ids(os.environ.get(ALLOW_LIST, ""))
    except ValueError as problem:
        return f"{ALLOW_LIST} is not usable ({problem}): no account is allowed"
    if account_id in allowed:
        return None
    listed = ", ".join(allowed) or "none: the function acts in its own account only"
    return (
        f"account {account_id} is not in {ALLOW_LIST} (the accounts this function may act in:"
        f" {listed}); its role is not assumed"
    )


def fresh_credentials(sts: Any, account_id: str, session_name: str) -> dict[str, Any]:
    """The target role's credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration),
    assumed with `sts` when none are held or they expire within five minutes; an account not
    in TARGET_ACCOUNT_IDS raises AccountNotAllowedError without asking STS."""
    if problem := account_problem(account_id):
        raise AccountNotAllowedError(problem)
    arn = role_arn(account_id)
    with _lock:
        held = _held.get((arn, session_name))
        if held and held["Expiration"] - _REFRESH_BEFORE > datetime.now(UTC):
            return held
        held = dict(sts.assume_role(RoleArn=arn, RoleSessionName=session_name)["Credentials"])
        _held[(arn, session_name)] = held
        return held
