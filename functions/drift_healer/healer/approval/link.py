"""The approval page's signed link: made inside the step that publishes the request, so it is
never a step result, never in the result JSON or the JSON notice, never logged.

The claims are all deterministic (the callback id, the stack, the change set, the execution,
the checkpointed expiry, where the stack is read) and are no capability by themselves: the
HMAC over them with the secret key is. The key is read fresh for every request (one
GetSecretValue per approval asked): a rotated key signs the next link at once, and the
token names the key's version so the page verifies with that one.
"""

from __future__ import annotations

from datetime import datetime

from drift_common.approval import LinkClaims, keep_secrets_out_of_logs, page_link, sign_link
from healer.aws import clients


def current_signing_key(secret_arn: str) -> tuple[str, bytes]:
    """(VersionId, key) of the secret's AWSCURRENT version (SecretString, as the template
    generates it)."""
    secret = clients.secretsmanager().get_secret_value(SecretId=secret_arn)
    return secret["VersionId"], secret["SecretString"].encode()


def stack_region(stack_id: str) -> str:
    """arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID -> REGION."""
    return stack_id.split(":")[3]


def signed_link(
    page_url: str,
    secret_arn: str,
    *,
    callback_id: str,
    stack_id: str,
    change_set_id: str,
    execution_arn: str,
    expires: datetime,
) -> str:
    """The page link for this execution's approval (call it inside a step only)."""
    keep_secrets_out_of_logs()  # the key read here and the Publish that carries the link
    version, key = current_signing_key(secret_arn)
    _, account_id = clients.target()  # the page reads the stack as the healer did
    claims = LinkClaims(
        callback_id=callback_id,
        stack_id=stack_id,
        change_set_id=change_set_id,
        execution_arn=execution_arn,
        expires=int(expires.timestamp()),
        region=stack_region(stack_id),
        account_id=account_id,
        key_version=version,
    )
    return page_link(page_url, sign_link(key, claims))
