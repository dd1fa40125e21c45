"""The approval page's "Keep the change": the diff is shown before deciding, and there is
no Keep button when the change cannot be kept (the reasons are shown instead)."""

from __future__ import annotations

from approval_page.render import decided_text, review_page
from drift_common.accept import AcceptPatch, NotAccepted, ParameterChange
from tests.unit.approval.test_page_render import CLAIMS, DRIFT


def page(keep: AcceptPatch) -> str:
    return review_page(
        token="t.k",
        claims=CLAIMS,
        change_set={"Changes": []},
        drifts=[DRIFT],
        request=None,
        keep=keep,
    )


def test_the_diff_and_parameter_changes_come_with_a_keep_button() -> None:
    html = page(
        AcceptPatch(
            body="x",
            diff="--- a\n+++ b\n@@ -1 +1 @@\n-A: 1\n+A: <2>\n",
            parameter_changes=[ParameterChange(key="Mode", old="strict", new="lax")],
        )
    )
    assert "<span class=del>-A: 1</span>" in html
    assert "<span class=add>+A: &lt;2&gt;</span>" in html
    assert "parameter <b>Mode</b>" in html
    assert "<button class=keep name=decision value=ACCEPT>Keep the change</button>" in html
    assert html.index("Keep the change instead?") < html.index("<form")


def test_a_change_that_cannot_be_kept_has_no_keep_button_and_says_why() -> None:
    refused = NotAccepted(logical_id="Setting", path="", reason="computed by Fn::Sub")
    html = page(AcceptPatch(not_accepted=[refused]))
    assert "value=ACCEPT" not in html
    assert "Setting: computed by Fn::Sub" in html


def test_a_kept_decision_is_named_on_the_page() -> None:
    assert decided_text({"Decision": "ACCEPT", "By": "ada"}) == (
        "already decided: kept (accepted) by ada"
    )
