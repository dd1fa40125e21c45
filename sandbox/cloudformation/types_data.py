"""AWS::S3::Bucket, AWS::Logs::LogGroup, AWS::DynamoDB::Table readers and writers."""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from .resource_types import ResourceType, tag_map


class S3Bucket(ResourceType):
    # aws-resource-s3-bucket: BucketName and ObjectLockEnabled "Update requires:
    # Replacement"; Tags and VersioningConfiguration "No interruption".
    type_name = "AWS::S3::Bucket"
    replacement = frozenset({"BucketName", "ObjectLockEnabled"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        backend = s3_backends[account][get_partition(region)]
        bucket = backend.buckets.get(physical_id)
        if bucket is None:
            return None
        tags = backend.tagger.list_tags_for_resource(bucket.arn).get("Tags", [])
        props: dict[str, Any] = {"BucketName": bucket.name, "Tags": tags}
        if bucket.versioning_status:
            props["VersioningConfiguration"] = {"Status": bucket.versioning_status}
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = s3_backends[account][get_partition(region)]
        if "VersioningConfiguration" in desired:
            status = desired["VersioningConfiguration"].get("Status", "Suspended")
            backend.put_bucket_versioning(physical_id, status)
        if "Tags" in desired:
            # PutBucketTagging replaces the whole tag set, as CloudFormation does.
            backend.put_bucket_tagging(physical_id, tag_map(desired["Tags"]))


class LogGroup(ResourceType):
    # aws-resource-logs-loggroup: LogGroupName "Update requires: Replacement";
    # RetentionInDays "No interruption".
    type_name = "AWS::Logs::LogGroup"
    replacement = frozenset({"LogGroupName"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        group = logs_backends[account][region].groups.get(physical_id)
        if group is None:
            return None
        props: dict[str, Any] = {"LogGroupName": group.name}
        if group.retention_in_days is not None:
            props["RetentionInDays"] = group.retention_in_days
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = logs_backends[account][region]
        if "RetentionInDays" in desired:
            days: Any = int(desired["RetentionInDays"])  # moto types it str, stores the number
            backend.put_retention_policy(physical_id, days)


class DynamoDbTable(ResourceType):
    # aws-resource-dynamodb-table: TableName, KeySchema "Update requires: Replacement";
    # BillingMode, ProvisionedThroughput "No interruption".
    type_name = "AWS::DynamoDB::Table"
    replacement = frozenset({"TableName", "KeySchema"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        table = dynamodb_backends[account][region].tables.get(physical_id)
        if table is None:
            return None
        props: dict[str, Any] = {
            "TableName": table.name,
            "BillingMode": table.billing_mode or "PROVISIONED",
            "KeySchema": table.schema,
            "AttributeDefinitions": table.attr,
        }
        if props["BillingMode"] == "PROVISIONED" and table.throughput:
            props["ProvisionedThroughput"] = {
                "ReadCapacityUnits": table.throughput.get("ReadCapacityUnits"),
                "WriteCapacityUnits": table.throughput.get("WriteCapacityUnits"),
            }
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = dynamodb_backends[account][region]
        throughput = desired.get("ProvisionedThroughput")
        update: dict[str, Any] = {
            "name": physical_id,
            "attr_definitions": None,
            "global_index": None,
            "throughput": {k: int(v) for k, v in throughput.items()} if throughput else None,
            "billing_mode": desired.get("BillingMode"),
            "stream_spec": None,
            "deletion_protection_enabled": None,
            "warm_throughput": None,
        }
        backend.update_table(**update)


HANDLERS: list[ResourceType] = [S3Bucket(), LogGroup(), DynamoDbTable()]
