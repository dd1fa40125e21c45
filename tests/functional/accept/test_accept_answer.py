"""A reviewer's third answer, ACCEPT: the waiting run deletes its reverting change set and
accepts the drift into the template instead (the live value stays, the stack ends in sync)."""

from __future__ import annotations

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, calls, client, deploy, drift_sample, ssm_value
from tests.functional.handler.test_approval import answered, decision
from tests.stacks import SAMPLE_TEMPLATE


def test_an_accept_answer_keeps_the_change_in_the_template(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    run, sent = answered(inbox, [decision("ACCEPT", "the incident fix is right", by="bob")])

    assert sent == [None]
    assert run.outcome == "ACCEPTED", run.output["Reason"]
    assert ssm_value("/drift-test/sample") == "changed-by-hand"  # kept, not reverted
    assert calls(aws, "ExecuteChangeSet") == 1  # the accept change set only
    assert run.output["ChangeSetName"].startswith("drift-healer-accept-")
    assert run.output["Approval"]["Decision"] == "ACCEPT"
    diff = run.output["Accept"]["Diff"]
    assert '"Value": "changed-by-hand"' in diff
    template = client("cloudformation").get_template(StackName="sample")["TemplateBody"]
    assert template["Resources"]["SampleParameter"]["Properties"]["Value"] == "changed-by-hand"
    final = run.notices[-1]
    assert final.attributes["outcome"] == "ACCEPTED"
    assert "Decision: accepted (keep the change) by bob" in final.body
    assert "Template diff (commit it to the template's source):" in final.body
