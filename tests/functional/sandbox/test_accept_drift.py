"""Accepting drift: a REVERT_DRIFT change set with a new template whose values equal the
actual ones plans SyncWithActual, and executing it records the template without touching
the resources (drift-aware change sets user guide; botocore ChangeAction, ChangeSource,
AttributeChangeType)."""

from __future__ import annotations

from typing import Any

from tests.functional.sandbox.helpers import Clients, detect, drifts, wait_change_set, wait_stack

YAML = """\
# the app's settings
Parameters:
  Mode:
    Type: String
Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /acc/mode
      Type: String
      Value: !Ref Mode   # from the parameter
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: acc-jobs
      VisibilityTimeout: 30  # seconds
      DelaySeconds: 0
"""


def deploy(aws: Clients) -> str:
    stack_id: str = aws.cf.create_stack(
        StackName="acc",
        TemplateBody=YAML,
        Parameters=[{"ParameterKey": "Mode", "ParameterValue": "strict"}],
    )["StackId"]
    return stack_id


def queue_url(aws: Clients) -> str:
    return str(aws.sqs.get_queue_url(QueueName="acc-jobs")["QueueUrl"])


def drift_both(aws: Clients) -> None:
    aws.ssm.put_parameter(Name="/acc/mode", Value="lax", Type="String", Overwrite=True)
    aws.sqs.set_queue_attributes(QueueUrl=queue_url(aws), Attributes={"VisibilityTimeout": "300"})
    assert detect(aws, "acc")["StackDriftStatus"] == "DRIFTED"


def accept_change_set(aws: Clients, body: str, mode: str, name: str = "accept-1") -> str:
    cs_id: str = aws.cf.create_change_set(
        StackName="acc",
        ChangeSetName=name,
        ChangeSetType="UPDATE",
        TemplateBody=body,
        Parameters=[{"ParameterKey": "Mode", "ParameterValue": mode}],
        DeploymentMode="REVERT_DRIFT",
    )["Id"]
    return cs_id


def resource_changes(cs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in cs["Changes"]}


def test_get_template_original_returns_the_deployed_text_with_its_comments(aws: Clients) -> None:
    deploy(aws)
    got = aws.cf.get_template(StackName="acc", TemplateStage="Original")
    assert got["TemplateBody"] == YAML  # YAML comes back as text, comments and all
    assert got["StagesAvailable"] == ["Original", "Processed"]


def test_a_template_matching_the_actual_values_plans_sync_with_actual(aws: Clients) -> None:
    deploy(aws)
    drift_both(aws)
    accepted = YAML.replace("VisibilityTimeout: 30", "VisibilityTimeout: 300")
    cs = wait_change_set(aws, accept_change_set(aws, accepted, "lax"), IncludePropertyValues=True)
    assert cs["Status"] == "CREATE_COMPLETE"
    changes = resource_changes(cs)
    assert {lid: c["Action"] for lid, c in changes.items()} == {
        "Setting": "SyncWithActual",
        "Jobs": "SyncWithActual",
    }
    detail = changes["Jobs"]["Details"][0]
    assert detail["ChangeSource"] == "NoModification"
    assert detail["Target"]["AttributeChangeType"] == "SyncWithActual"
    assert detail["Target"]["Drift"] == {"PreviousValue": "30", "ActualValue": "300"}
    assert changes["Jobs"]["Replacement"] == "False"


def test_executing_it_keeps_the_resources_and_stores_the_template(aws: Clients) -> None:
    stack_id = deploy(aws)
    drift_both(aws)
    url_before = queue_url(aws)
    version = aws.ssm.get_parameter(Name="/acc/mode")["Parameter"]["Version"]
    accepted = YAML.replace("VisibilityTimeout: 30", "VisibilityTimeout: 300")
    cs_id = accept_change_set(aws, accepted, "lax")
    wait_change_set(aws, cs_id)
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert wait_stack(aws, "acc") == "UPDATE_COMPLETE"

    attrs = aws.sqs.get_queue_attributes(QueueUrl=url_before, AttributeNames=["All"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "300"
    param = aws.ssm.get_parameter(Name="/acc/mode")["Parameter"]
    assert (param["Value"], param["Version"]) == ("lax", version)  # not written again
    assert aws.cf.get_template(StackName="acc", TemplateStage="Original")["TemplateBody"] == (
        accepted
    )
    stack = aws.cf.describe_stacks(StackName="acc")["Stacks"][0]
    assert stack["Parameters"] == [{"ParameterKey": "Mode", "ParameterValue": "lax"}]
    # The drift status is reset, and a new detection agrees.
    assert stack["DriftInformation"]["StackDriftStatus"] == "IN_SYNC"
    assert detect(aws, stack_id)["StackDriftStatus"] == "IN_SYNC"
    assert {d["StackResourceDriftStatus"] for d in drifts(aws, stack_id).values()} == {"IN_SYNC"}


def test_a_template_that_differs_from_actual_mixes_sync_and_modify(aws: Clients) -> None:
    deploy(aws)
    drift_both(aws)
    # Only the parameter is accepted; the queue's template value still differs from actual.
    cs = wait_change_set(aws, accept_change_set(aws, YAML, "lax"), IncludePropertyValues=True)
    changes = resource_changes(cs)
    assert changes["Setting"]["Action"] == "SyncWithActual"
    assert changes["Jobs"]["Action"] == "Modify"
    kinds = {d["Target"]["AttributeChangeType"] for d in changes["Jobs"]["Details"]}
    assert kinds == {"Modify"}


def test_a_template_equal_to_the_old_one_still_reverts(aws: Clients) -> None:
    deploy(aws)
    drift_both(aws)
    cs = wait_change_set(aws, accept_change_set(aws, YAML, "strict"))
    assert {c["Action"] for c in resource_changes(cs).values()} == {"Modify"}
