"""The approval page's HTML (approval_page.render): where the stack is, and outside text
shown as it reads."""

from __future__ import annotations

from approval_page.render import decided_text, review_page
from drift_common.approval import LinkClaims

CLAIMS = LinkClaims(
    callback_id="cb-1",
    stack_id="arn:aws:cloudformation:eu-west-1:222233334444:stack/app/1",
    change_set_id="arn:aws:cloudformation:eu-west-1:222233334444:changeSet/drift-healer-1/2",
    execution_arn="x/1",
    expires=2_000_000_000,
    region="eu-west-1",
    account_id="222233334444",
    key_version="6f1b7f3e-5a4c-4d0e-9b57-0c2f7a3d9e11",
)
DRIFT = {
    "LogicalResourceId": "Setting",
    "ResourceType": "AWS::SSM::Parameter",
    "StackResourceDriftStatus": "MODIFIED",
    "PropertyDifferences": [
        {
            "PropertyPath": "/Value",
            "ExpectedValue": "strict",
            "ActualValue": "lax\u202e\n<b>evil</b>\u2066",
        }
    ],
}


def test_the_page_says_where_the_stack_is_and_shows_drift_as_it_reads() -> None:
    html = review_page(
        token="t.k", claims=CLAIMS, change_set={"Changes": []}, drifts=[DRIFT], request=None
    )
    assert "<dt>Region</dt><dd>eu-west-1</dd>" in html
    assert "<dt>Account</dt><dd>222233334444</dd>" in html
    assert "<span class=old>lax &lt;b&gt;evil&lt;/b&gt;</span>" in html
    assert "\u202e" not in html and "\u2066" not in html


def test_the_recorded_answer_is_quoted_on_one_line() -> None:
    text = decided_text({"Decision": "REJECT", "By": "ann\u202e", "Reason": "no\nDecision: ok"})
    assert text == "already decided: rejected by ann (no Decision: ok)"


def test_who_changed_it_is_shown_next_to_its_diff() -> None:
    who = "arn:aws:sts::1:assumed-role/Admin/alice (console), ssm:PutParameter at 2026-12-08"
    html = review_page(
        token="t.k",
        claims=CLAIMS,
        change_set={"Changes": []},
        drifts=[DRIFT],
        request={"changed_by": {"Setting": who + "<script>"}},
    )
    assert f"<div class=note>Changed by: {who}&lt;script&gt;</div></li>" in html
