"""The approval page's HTML (approval_page.render): outside text shown as it reads."""

from __future__ import annotations

from approval_page.render import decided_text


def test_the_recorded_answer_is_quoted_on_one_line() -> None:
    text = decided_text({"Decision": "REJECT", "By": "ann\u202e", "Reason": "no\nDecision: ok"})
    assert text == "already decided: rejected by ann (no Decision: ok)"
