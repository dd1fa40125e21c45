"""The page reads a fleet stack only in the accounts the healer may act in."""

from __future__ import annotations

import pytest

from approval_page import aws as page_aws
from drift_common.approval import LinkClaims
from drift_common.credentials import AccountNotAllowedError


def claims(account_id: str) -> LinkClaims:
    return LinkClaims(
        callback_id="cb",
        stack_id=f"arn:aws:cloudformation:eu-west-1:{account_id}:stack/app/1",
        change_set_id=f"arn:aws:cloudformation:eu-west-1:{account_id}:changeSet/drift-healer-1/2",
        execution_arn="arn:aws:lambda:us-east-1:123456789012:function:h:live/durable-execution/x/1",
        expires=2_000_000_000,
        region="eu-west-1",
        account_id=account_id,
        key_version="v1",
    )


def test_an_account_not_in_the_allow_list_is_not_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", "111122223333")
    asked: list[str] = []
    monkeypatch.setattr(page_aws, "_client", asked.append)
    with pytest.raises(AccountNotAllowedError, match="222233334444 is not in TARGET_ACCOUNT_IDS"):
        page_aws.stack_reader(claims("222233334444"))
    assert asked == []  # STS was never asked
