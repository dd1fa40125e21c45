"""The chat notice: an Amazon Q Developer (Chatbot) custom notification, its size for a
200-resource drift, outside text that cannot ping or forge links, the approval link only
when allowed."""

import json
from datetime import UTC, datetime

from drift_common.outcomes import Outcome
from healer.model import Approval
from healer.model.records import ChangeSetRef, PropertyDifference, ResourceDrift
from healer.report.chat import DESCRIPTION_CHARS, TITLE_CHARS, render_chat
from healer.report.run import RunReport

STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/0a1b"
CS_ID = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/drift-healer-1/2c3d"
EXECUTION = "arn:aws:lambda:us-east-1:123456789012:function:drift-healer:live/durable-execution/x/y"
LINK = "https://page.example/approve?token=SECRET"


def resource(i: int, actual: str = "hacked") -> ResourceDrift:
    return ResourceDrift(
        logical_id=f"Param{i}",
        physical_id=f"/app/param-{i}",
        resource_type="AWS::SSM::Parameter",
        drift_status="MODIFIED",
        differences=[
            PropertyDifference(
                path="/Value", expected="initial", actual=actual, difference_type="NOT_EQUAL"
            )
        ],
    )


def report(outcome: Outcome, drifted: list[ResourceDrift], total: int | None = None) -> RunReport:
    run = RunReport("app", review_mode=True, stack_id=STACK_ID)
    run.drifted, run.drifted_total = drifted, len(drifted) if total is None else total
    run.change_set = ChangeSetRef(change_set_id=CS_ID, change_set_name="drift-healer-1")
    return run.finish(outcome, "the change set waits for a person")


def chat(run: RunReport, link: str | None = None) -> dict:  # type: ignore[type-arg]
    return json.loads(render_chat(run, EXECUTION, link))  # type: ignore[no-any-return]


def test_the_custom_notification_shape() -> None:
    message = chat(report(Outcome.REVIEW_REQUIRED, [resource(1)]))
    assert (message["version"], message["source"]) == ("1.0", "custom")
    content = message["content"]
    assert content["textType"] == "client-markdown"
    assert content["title"] == ":large_yellow_circle: REVIEW_REQUIRED: app"
    assert "`Param1` (AWS::SSM::Parameter): MODIFIED" in content["description"]
    assert "`/Value`: `initial` \u2192 `hacked`" in content["description"]
    assert content["keywords"] == ["REVIEW_REQUIRED", "us-east-1", "REVIEW"]
    assert any(step.endswith("|The change set in the console>") for step in content["nextSteps"])
    assert all(step.startswith("<https://") for step in content["nextSteps"][1:])  # Slack's
    meta = message["metadata"]
    assert meta["threadId"] == STACK_ID  # one thread per stack
    assert meta["summary"] == "drift-healer REVIEW_REQUIRED: app"
    assert meta["relatedResources"] == [STACK_ID, CS_ID]
    assert message["id"] == meta["additionalContext"]["notice-id"]


def test_a_200_resource_drift_is_cut_like_the_email_and_stays_small() -> None:
    drifted = [resource(i, "\u00e9" * 400 + "\U0001f600" * 50) for i in range(200)]
    raw = render_chat(report(Outcome.REVIEW_REQUIRED, drifted, total=230), EXECUTION)
    message = json.loads(raw)
    description = message["content"]["description"]
    assert len(description) <= DESCRIPTION_CHARS
    assert "*Drifted resources (230):*" in description
    shown = description.count("\u2022 ")
    assert 0 < shown < 200
    assert f"\u2026 and {230 - shown} more drifted resource(s): see the e-mail notice" in (
        description
    )
    assert len(message["content"]["title"]) <= TITLE_CHARS
    assert len(raw.encode()) < 16_000  # far below SNS's 256 KiB


def test_outside_text_cannot_ping_a_channel_or_forge_a_link() -> None:
    evil = "<!channel> see <https://evil.example|approve here> `code` & more"
    message = chat(report(Outcome.REVIEW_REQUIRED, [resource(1, evil)]))
    description = message["content"]["description"]
    assert "<!channel>" not in description and "<https://evil" not in description
    assert "&lt;!channel&gt;" in description and "&amp; more" in description
    assert "`code`" not in description  # no way out of the backticks


def waiting(outcome: Outcome = Outcome.APPROVAL_REQUIRED) -> RunReport:
    run = report(outcome, [resource(1)])
    run.approval = Approval(callback_id="cb-1", expires=datetime(2026, 12, 9, tzinfo=UTC))
    return run


def test_the_approval_link_is_posted_only_when_passed() -> None:
    without = json.dumps(chat(waiting()))
    assert "token=" not in without
    assert "drift-healer approve app" in without
    steps = chat(waiting(), LINK)["content"]["nextSteps"]
    assert f"<{LINK}|Review, then approve or reject (do not forward)>" in steps


def test_every_outcome_renders() -> None:
    for outcome in Outcome:
        message = chat(report(outcome, []))
        assert message["content"]["title"].endswith(f"{outcome.value}: app")
        assert message["content"]["nextSteps"]
