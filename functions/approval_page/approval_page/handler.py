"""The approval page: a plain (not durable) Lambda function behind a Function URL.

GET shows what approving would do and never decides anything (mail scanners follow links).
POST verifies the signed link and completes the healer's callback with the answer
`{"Decision": "APPROVE" | "REJECT" | "ACCEPT", "Reason": "...", "By": "..."}`. A bad, expired or
replayed link gets a page that says so and changes nothing; so does a link opened after
the decision (GET and POST: "already decided").

The link is the capability (the Function URL's AuthType is NONE): whoever holds it may
decide, until the callback expires. Environment: APPROVAL_SECRET_ARN (the signing key),
EXECUTION_ROLE_NAME (the target accounts' role, for stacks of another account).
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from botocore.exceptions import ClientError

from approval_page import aws as page_aws
from approval_page.render import decided_text, message_page, review_page
from drift_common.accept import AcceptPatch, NotAccepted, drift_to_accept, patch_template
from drift_common.approval import (
    InvalidAnswerError,
    InvalidTokenError,
    LinkClaims,
    answer,
    keep_secrets_out_of_logs,
    key_version_of,
    verify_link,
)
from drift_common.errors import callback_closed, describe_error, error_code
from drift_common.text import clean_text

# DescribeChangeSet's answer for a change set deleted (rejected, timed out) or executed.
GONE_CODES = frozenset({"ChangeSetNotFound", "ChangeSetNotFoundException"})


@dataclass(frozen=True)
class HttpRequest:
    method: str
    params: dict[str, str]  # query string (GET) or form (POST)
    source_ip: str


def parse_event(event: dict[str, Any]) -> HttpRequest:
    """A Function URL event (payload format 2.0)."""
    http = event.get("requestContext", {}).get("http", {})
    method = str(http.get("method", "GET")).upper()
    params = {k: v for k, v in (event.get("queryStringParameters") or {}).items() if v}
    if method == "POST":
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        params |= {k: v[0] for k, v in parse_qs(body).items()}
    return HttpRequest(method, params, str(http.get("sourceIp", "")))


def _html(status: int, body: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'",
            "Referrer-Policy": "no-referrer",
        },
        "body": body,
    }


def lambda_handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    keep_secrets_out_of_logs()  # the signing key it reads
    request = parse_event(event)
    if request.method not in {"GET", "POST"}:
        return _html(405, message_page("Not allowed", "Use the link from the notice.", "bad"))
    token = request.params.get("t", "")
    if not token:
        return _html(400, message_page("Link incomplete", "This link has no token.", "bad"))
    try:
        key = page_aws.signing_key(os.environ["APPROVAL_SECRET_ARN"], key_version_of(token))
        claims = verify_link(key, token, time.time())
    except InvalidTokenError as problem:
        status = 410 if "expired" in str(problem) else 403
        return _html(status, message_page("This link cannot be used", str(problem), "bad"))
    except ClientError as error:  # the key could not be read: the link is not checked
        return _unavailable("the link could not be checked", error)
    if request.method == "GET":
        return _show(token, claims)
    return _decide(request, claims)


def _unavailable(what: str, error: ClientError) -> dict[str, Any]:
    return _html(
        503,
        message_page(
            "Nothing decided",
            f"{what} ({describe_error(error)}); nothing was decided. Try again later.",
            "bad",
        ),
    )


def _show(token: str, claims: LinkClaims) -> dict[str, Any]:
    try:
        found = page_aws.read_request(claims.execution_arn)
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":  # past its retention
            return _html(410, message_page("Nothing to decide", decided_text(None), "info"))
        return _unavailable("the approval request could not be read", error)
    decided = _decided(found)
    if decided:  # the change set may be gone (rejected, executed): nothing left to show
        return _html(200, message_page("Already decided", decided, "info"))
    try:
        cfn = page_aws.stack_reader(claims)
        change_set = page_aws.read_change_set(cfn, claims)
        drifts = page_aws.read_drift(cfn, claims)
    except ClientError as error:
        if error_code(error) in GONE_CODES:
            return _html(
                410,
                message_page(
                    "Nothing to decide",
                    "the change set no longer exists (deleted outside the healer): approving "
                    "would run nothing; the run ends when its approval expires",
                    "info",
                ),
            )
        return _unavailable("the change set could not be read", error)
    page = review_page(
        token=token,
        claims=claims,
        change_set=change_set,
        drifts=drifts,
        request=found.get("Request"),
        keep=_keep_preview(cfn, claims, drifts),
    )
    return _html(200, page)


def _keep_preview(cfn: Any, claims: LinkClaims, drifts: list[dict[str, Any]]) -> AcceptPatch:
    """What keeping the change would write into the template (issue 17): the same patch the
    healer computes when answered ACCEPT, from the same reads. A template that cannot be
    read offers no Keep button (the reason is shown)."""
    try:
        template = page_aws.read_template(cfn, claims)
    except ClientError as error:
        reason = f"the template could not be read ({describe_error(error)})"
        return AcceptPatch(not_accepted=[NotAccepted(logical_id="*", path="", reason=reason)])
    return patch_template(template, [drift_to_accept(d) for d in drifts])


def _decided(found: dict[str, Any]) -> str | None:
    if "Answer" in found:
        try:
            recorded = json.loads(found["Answer"] or "null")
        except ValueError:
            recorded = None
        return decided_text(recorded if isinstance(recorded, dict) else None)
    if found.get("TimedOut"):
        return "expired: nobody decided in time, the change set was handled as configured"
    return None


def _decided_since(claims: LinkClaims) -> str:
    """What the history says was decided (the callback is closed)."""
    try:
        return _decided(page_aws.read_request(claims.execution_arn)) or decided_text(None)
    except ClientError:
        return decided_text(None)


def _decide(request: HttpRequest, claims: LinkClaims) -> dict[str, Any]:
    name = " ".join(clean_text(request.params.get("by", "")).split())[:100] or "someone"
    by = f"{name} (approval page, {request.source_ip or 'unknown address'})"
    try:
        chosen = answer(request.params.get("decision", ""), request.params.get("reason", ""), by)
    except InvalidAnswerError as problem:
        return _html(400, message_page("Nothing decided", str(problem), "bad"))
    try:
        page_aws.send_answer(claims.callback_id, chosen.to_json())
    except ClientError as error:
        if not callback_closed(error):  # decided, expired, or the run is gone
            return _unavailable("the decision could not be sent", error)
        return _html(409, message_page("Nothing changed", _decided_since(claims), "info"))
    if chosen.decision == "ACCEPT":  # --- issue 17 ---
        return _html(
            200,
            message_page(
                "Kept",
                f"Kept by {chosen.by}. The run writes the actual values into the stack's "
                "template (the resources are not changed) and checks the stack is in sync; "
                "the notice afterwards has the diff to commit to the template's source.",
                "ok",
            ),
        )
    if chosen.decision == "APPROVE":
        return _html(
            200,
            message_page(
                "Approved",
                f"Approved by {chosen.by}. The run re-checks the change set, executes it and "
                "verifies the stack; the notice afterwards says how it went.",
                "ok",
            ),
        )
    return _html(
        200,
        message_page(
            "Rejected",
            f"Rejected by {chosen.by}. The change set is deleted; the notice says so.",
            "ok",
        ),
    )
