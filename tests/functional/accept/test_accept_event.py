"""`"AcceptDrift": true`: the drift is written into the stack's template (literal values
in place, a parameter-driven value as the parameter), the resources are left as they are,
the stack ends in sync, and the notice carries the diff to commit."""

from __future__ import annotations

from typing import Any

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, calls, client, run_handler

TEMPLATE = """\
# Settings of the jobs service.
Parameters:
  Mode:
    Type: String
    AllowedValues: [strict, lax]
Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /acc/mode
      Type: String
      Value: !Ref Mode   # set per environment
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: acc-jobs
      VisibilityTimeout: 30  # seconds; raised during the incident?
      DelaySeconds: 0
"""


def deploy(template: str = TEMPLATE) -> str:
    cfn = client("cloudformation")
    stack_id: str = cfn.create_stack(
        StackName="acc",
        TemplateBody=template,
        Parameters=[{"ParameterKey": "Mode", "ParameterValue": "strict"}],
    )["StackId"]
    return stack_id


def queue_timeout() -> str:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="acc-jobs")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    return str(attrs["Attributes"]["VisibilityTimeout"])


def drift_queue() -> None:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="acc-jobs")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "300"})


def drift_setting(value: str = "lax") -> None:
    client("ssm").put_parameter(Name="/acc/mode", Value=value, Type="String", Overwrite=True)


def accept(inbox: Inbox, **extra: Any) -> Any:
    event = {"StackName": "acc", "AcceptDrift": True, **extra}
    return run_handler(inbox, event)


def deployed_template() -> str:
    return str(
        client("cloudformation").get_template(StackName="acc", TemplateStage="Original")[
            "TemplateBody"
        ]
    )


def test_a_literal_value_is_accepted_into_the_template(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy()
    drift_queue()

    run = accept(inbox, AcceptReason="raised in the incident", AcceptedBy="alice")

    assert run.outcome == "ACCEPTED", run.output["Reason"]
    assert queue_timeout() == "300"  # the live value is kept
    accepted = TEMPLATE.replace("VisibilityTimeout: 30  #", "VisibilityTimeout: 300  #")
    assert deployed_template() == accepted  # comments and format kept
    diff = run.output["Accept"]["Diff"]
    assert "-      VisibilityTimeout: 30  # seconds; raised during the incident?" in diff
    assert "+      VisibilityTimeout: 300  # seconds; raised during the incident?" in diff
    assert run.output["Accept"]["ParameterChanges"] == []
    assert run.output["Accept"]["NotAccepted"] == []
    assert calls(aws, "ExecuteChangeSet") == 1
    notice = run.notice
    assert notice.subject == "drift-healer ACCEPTED: acc"
    assert "+      VisibilityTimeout: 300" in notice.body
    assert "the next deploy from an unchanged repository reverts" in notice.body
    # Verified: drift detection now finds the stack in sync.
    assert set(run.output["Phases"]) == {"detection", "change_set", "execution", "verification"}
    stack = client("cloudformation").describe_stacks(StackName="acc")["Stacks"][0]
    assert stack["DriftInformation"]["StackDriftStatus"] == "IN_SYNC"


def test_a_value_from_a_parameter_is_accepted_as_the_parameter(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy()
    drift_setting("lax")

    run = accept(inbox)

    assert run.outcome == "ACCEPTED", run.output["Reason"]
    assert run.output["Accept"]["ParameterChanges"] == [
        {"ParameterKey": "Mode", "OldValue": "strict", "NewValue": "lax"}
    ]
    assert run.output["Accept"]["Diff"] == ""
    assert deployed_template() == TEMPLATE
    stack = client("cloudformation").describe_stacks(StackName="acc")["Stacks"][0]
    assert stack["Parameters"] == [{"ParameterKey": "Mode", "ParameterValue": "lax"}]
    assert client("ssm").get_parameter(Name="/acc/mode")["Parameter"]["Value"] == "lax"
    assert "Mode: strict -> lax" in run.notice.body


def test_a_sub_value_is_refused_with_its_reason(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy(
        TEMPLATE.replace("Name: /acc/mode", 'Name: !Sub "/acc/${Mode}"').replace(
            "Value: !Ref Mode   # set per environment", 'Value: !Sub "${Mode}-value"'
        )
    )
    client("ssm").put_parameter(Name="/acc/strict", Value="by-hand", Type="String", Overwrite=True)
    drift_queue()

    run = accept(inbox)

    assert run.outcome == "REVIEW_REQUIRED"
    assert "Setting" in run.output["Reason"] and "computed by Fn::Sub" in run.output["Reason"]
    assert run.output["Accept"]["NotAccepted"][0]["LogicalResourceId"] == "Setting"
    assert queue_timeout() == "300"  # nothing reverted either: no half-accepted stacks
    assert calls(aws, "CreateChangeSet") == 0
    assert calls(aws, "ExecuteChangeSet") == 0


def test_a_deleted_resource_is_refused(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy()
    client("ssm").delete_parameter(Name="/acc/mode")

    run = accept(inbox)

    assert run.outcome == "REVIEW_REQUIRED"
    assert "remove Setting" in run.output["Reason"]
    assert calls(aws, "CreateChangeSet") == 0


def test_a_change_set_that_would_modify_a_resource_is_refused_and_deleted(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy()
    drift_queue()
    # CloudFormation sees something else than the patch: it plans a Modify.
    aws.faults.distort_change_set("acc", "Jobs", action="Modify")

    run = accept(inbox)

    assert run.outcome == "REVIEW_REQUIRED", run.output["Reason"]
    assert "Jobs: Modify (it would change the resource)" in run.output["Reason"]
    assert run.output["ChangeSetDeleted"] is True
    assert client("cloudformation").list_change_sets(StackName="acc")["Summaries"] == []
    assert calls(aws, "ExecuteChangeSet") == 0
    assert deployed_template() == TEMPLATE
    assert queue_timeout() == "300"


def test_after_accepting_the_next_run_is_quiet(aws: AwsSandbox, inbox: Inbox, table: str) -> None:
    deploy()
    drift_queue()
    assert accept(inbox).outcome == "ACCEPTED"

    again = run_handler(inbox, {"StackName": "acc"})

    assert again.outcome == "IN_SYNC"
    assert again.notices == []
    assert queue_timeout() == "300"


def test_accept_drift_must_be_a_json_boolean(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy()
    run = run_handler(inbox, {"StackName": "acc", "AcceptDrift": "true"})
    assert run.outcome == "ERROR"
    assert "AcceptDrift" in run.output["Reason"]
    both = run_handler(inbox, {"StackName": "acc", "AcceptDrift": True, "WaitForApproval": True})
    assert both.outcome == "ERROR"
    assert "AcceptDrift is a decision already" in both.output["Reason"]
