"""Which stack owns a physical resource: DescribeStackResources by PhysicalResourceId in the
sandbox, read through drift_common.owners (the healer's and the trigger's one way to ask)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from drift_common.owners import owning_stack
from tests.functional.sandbox.helpers import PARAM_NAME, TEMPLATE, Clients, wait_stack


def deploy(aws: Clients, name: str = "owned") -> str:
    stack_id: str = aws.cf.create_stack(
        StackName=name,
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "hi"}],
    )["StackId"]
    wait_stack(aws, stack_id)
    return stack_id


def test_the_owning_stack_is_found_by_physical_id(aws: Clients) -> None:
    stack_id = deploy(aws)
    owner = owning_stack(aws.cf, PARAM_NAME)
    assert owner is not None
    assert (owner.stack_id, owner.stack_name, owner.logical_id) == (stack_id, "owned", "Param")
    assert owner.resource_type == "AWS::SSM::Parameter"


def test_a_resource_no_stack_owns_has_no_owner(aws: Clients) -> None:
    deploy(aws)
    assert owning_stack(aws.cf, "/not/managed/by/any/stack") is None


def test_a_different_type_with_the_same_id_is_not_the_owner(aws: Clients) -> None:
    deploy(aws)
    assert owning_stack(aws.cf, PARAM_NAME, "AWS::SQS::Queue") is None


def test_a_deleted_stack_no_longer_owns_its_resources(aws: Clients) -> None:
    stack_id = deploy(aws)
    aws.cf.delete_stack(StackName=stack_id)
    assert owning_stack(aws.cf, PARAM_NAME) is None


def test_stack_name_and_physical_id_together_are_refused(aws: Clients) -> None:
    deploy(aws)
    with pytest.raises(ClientError) as caught:
        aws.cf.describe_stack_resources(StackName="owned", PhysicalResourceId=PARAM_NAME)
    assert "not both" in caught.value.response["Error"]["Message"]
