"""AWS::SSM::Parameter, AWS::SQS::Queue, AWS::SNS::Topic readers and writers."""

from __future__ import annotations

from typing import Any

from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.ssm.models import ssm_backends

from .resource_types import ResourceType, tag_changes, tag_list, tag_map


class SsmParameter(ResourceType):
    # aws-resource-ssm-parameter: Name "Update requires: Replacement"; Value, Type,
    # Description, AllowedPattern, Tier, DataType, Tags: "No interruption".
    type_name = "AWS::SSM::Parameter"
    replacement = frozenset({"Name"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        backend = ssm_backends[account][region]
        param = backend.get_parameter(physical_id)
        if param is None:
            return None
        props: dict[str, Any] = {
            "Name": param.name,
            "Type": param.parameter_type,
            "Value": param.value,
            "Tier": param.tier,
            "DataType": param.data_type,
            # Tags of AWS::SSM::Parameter are a JSON map, not a Key/Value list.
            "Tags": dict(backend.list_tags_for_resource("Parameter", param.name)),
        }
        if param.description is not None:
            props["Description"] = param.description
        if param.allowed_pattern is not None:
            props["AllowedPattern"] = param.allowed_pattern
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = ssm_backends[account][region]
        current = self.read(account, region, physical_id) or {}
        fields = ("Value", "Type", "Description", "AllowedPattern", "Tier", "DataType")
        if any(f in desired and str(desired[f]) != str(current.get(f)) for f in fields):
            put: dict[str, Any] = {
                "name": physical_id,
                "description": desired.get("Description"),
                "value": str(desired.get("Value", current.get("Value"))),
                "parameter_type": desired.get("Type", current.get("Type")),
                "allowed_pattern": desired.get("AllowedPattern"),
                "keyid": None,
                "overwrite": True,
                "tags": [],
                "data_type": desired.get("DataType", current.get("DataType", "text")),
                "tier": desired.get("Tier"),
                "policies": None,
            }
            backend.put_parameter(**put)
        if "Tags" in desired:
            to_set, to_remove = tag_changes(current.get("Tags", {}), tag_map(desired["Tags"]))
            if to_remove:
                backend.remove_tags_from_resource("Parameter", physical_id, to_remove)
            if to_set:
                backend.add_tags_to_resource("Parameter", physical_id, to_set)


_SQS_ATTRIBUTES = {
    "VisibilityTimeout": "visibility_timeout",
    "MessageRetentionPeriod": "message_retention_period",
    "DelaySeconds": "delay_seconds",
    "MaximumMessageSize": "maximum_message_size",
    "ReceiveMessageWaitTimeSeconds": "receive_message_wait_time_seconds",
}


class SqsQueue(ResourceType):
    # aws-resource-sqs-queue: QueueName and FifoQueue "Update requires: Replacement";
    # the other attributes and Tags "No interruption".
    type_name = "AWS::SQS::Queue"
    replacement = frozenset({"QueueName", "FifoQueue"})

    @staticmethod
    def _name(physical_id: str) -> str:
        return physical_id.rstrip("/").rsplit("/", 1)[-1]  # physical id is the queue URL

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        queue = sqs_backends[account][region].queues.get(self._name(physical_id))
        if queue is None:
            return None
        props: dict[str, Any] = {"QueueName": queue.name, "Tags": tag_list(queue.tags)}
        for prop, attr in _SQS_ATTRIBUTES.items():
            props[prop] = getattr(queue, attr)
        if queue.fifo_queue:
            props["FifoQueue"] = True
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = sqs_backends[account][region]
        name = self._name(physical_id)
        attrs = {p: str(desired[p]) for p in _SQS_ATTRIBUTES if p in desired}
        if attrs:
            backend.set_queue_attributes(name, attrs)
        if "Tags" in desired:
            to_set, to_remove = tag_changes(backend.get_queue(name).tags, tag_map(desired["Tags"]))
            if to_remove:
                backend.untag_queue(name, to_remove)
            if to_set:
                backend.tag_queue(name, to_set)


class SnsTopic(ResourceType):
    # aws-resource-sns-topic: TopicName and FifoTopic "Update requires: Replacement";
    # DisplayName and Tags "No interruption".
    type_name = "AWS::SNS::Topic"
    replacement = frozenset({"TopicName", "FifoTopic"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        backend = sns_backends[account][region]
        topic = backend.topics.get(physical_id)
        if topic is None:
            return None
        return {
            "TopicName": topic.name,
            "DisplayName": topic.display_name,
            "Tags": tag_list(backend.list_tags_for_resource(physical_id)),
        }

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = sns_backends[account][region]
        if "DisplayName" in desired:
            backend.set_topic_attribute(physical_id, "display_name", str(desired["DisplayName"]))
        if "Tags" in desired:
            current = dict(backend.list_tags_for_resource(physical_id))
            to_set, to_remove = tag_changes(current, tag_map(desired["Tags"]))
            if to_remove:
                backend.untag_resource(physical_id, to_remove)
            if to_set:
                backend.tag_resource(physical_id, to_set)


HANDLERS: list[ResourceType] = [SsmParameter(), SqsQueue(), SnsTopic()]
