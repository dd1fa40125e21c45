"""Fixes to moto 5.2.5's template support, applied at run time.

Without them a freshly created stack would already show (false) drift:
- AWS::SSM::Parameter ``Tags`` is a JSON map in CloudFormation (resource reference);
  moto expects a Key/Value list and crashes.
- AWS::S3::Bucket ``VersioningConfiguration`` is ignored by moto on create.
- AWS::SNS::Topic ``Tags`` are not stored as topic tags by moto on create.
- AWS::IAM::Role ``ManagedPolicyArns`` are not attached by moto on create (ARNs moto does
  not know, e.g. AWS managed policies it has not loaded, are left out).
- AWS::EC2::SecurityGroup: moto drops the descriptions of inline rules and ignores
  ``SecurityGroupEgress`` (CloudFormation's declared egress replaces the default allow-all
  rule); the emulator's writer sets both rule lists as declared.
- AWS::EC2::SecurityGroupIngress has no physical id in moto; CloudFormation's is the rule's
  id, `sgr-...` (guess: Cloud Control's primary identifier `Id`; the legacy handler used a
  generated name), which DescribeStackResources by PhysicalResourceId then finds.

And an update would lose a resource: moto's ``parse_and_update_resource`` returns None
for a type without ``update_from_cloudformation_json`` (e.g. AWS::Logs::LogGroup) and
``ResourceMap.update`` stores that None as the resource's model, so the stack forgets
the resource (later reads crash on ``None.physical_resource_id``). The fix keeps the
model and writes the properties the emulator's resource types know how to write
(RetentionInDays for a log group: "Update requires: No interruption").
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing
from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroup, SecurityGroupIngress
from moto.iam.exceptions import NotFoundException
from moto.iam.models import Role, iam_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.sns.models import Topic, sns_backends
from moto.ssm.models import Parameter
from moto.utilities.utils import get_partition

from . import registry, templates
from .resource_types import tag_map


def _wrap_create(model: Any, after: Any = None, before: Any = None) -> None:
    original = model.create_from_cloudformation_json.__func__

    def create(cls: Any, /, name: str, cfn: Any, account: str, region: str, **kw: Any) -> Any:
        if before is not None:
            cfn = before(cfn)
        resource = original(cls, name, cfn, account, region, **kw)
        if after is not None:
            after(resource, cfn.get("Properties") or {}, account, region)
        return resource

    model.create_from_cloudformation_json = classmethod(create)


def _ssm_tags_as_list(cfn: Any) -> Any:
    props = cfn.get("Properties") or {}
    tags = props.get("Tags")
    if isinstance(tags, dict):
        listed = [{"Key": k, "Value": v} for k, v in tags.items()]
        return {**cfn, "Properties": {**props, "Tags": listed}}
    return cfn


def _s3_versioning(bucket: Any, props: dict[str, Any], account: str, region: str) -> None:
    status = (props.get("VersioningConfiguration") or {}).get("Status")
    if status:
        s3_backends[account][get_partition(region)].put_bucket_versioning(bucket.name, status)


def _sns_tags(topic: Any, props: dict[str, Any], account: str, region: str) -> None:
    if props.get("Tags"):
        sns_backends[account][region].tag_resource(topic.arn, tag_map(props["Tags"]))


def _role_managed_policies(role: Any, props: dict[str, Any], account: str, region: str) -> None:
    backend = iam_backends[account][get_partition(region)]
    for arn in props.get("ManagedPolicyArns") or []:
        try:
            backend.attach_role_policy(str(arn), role.name)
        except NotFoundException:
            continue


def _sg_rules(group: Any, props: dict[str, Any], account: str, region: str) -> None:
    rules = ("SecurityGroupIngress", "SecurityGroupEgress")
    declared: dict[str, Any] = {k: props[k] for k in rules if k in props}
    handler = registry.get("AWS::EC2::SecurityGroup")
    if declared and handler is not None:
        handler.apply(account, region, group.id, declared)


def _ingress_rule_ids(original: Any) -> Any:
    def create(cls: Any, /, name: str, cfn: Any, account: str, region: str, **kw: Any) -> Any:
        props = cfn.get("Properties") or {}
        backend = ec2_backends[account][region]
        group = (
            backend.get_security_group_from_id(str(props["GroupId"]))
            if props.get("GroupId")
            else backend.get_security_group_from_name(str(props.get("GroupName", "")))
        )
        before = {r.id for r in group.ingress_rules} if group is not None else set()
        resource = original(cls, name, cfn, account, region, **kw)
        after = [r.id for r in resource.security_group.ingress_rules]
        resource.rule_ids = [rule_id for rule_id in after if rule_id not in before]
        return resource

    return classmethod(create)


def _ingress_physical_id(resource: Any) -> str:
    ids = getattr(resource, "rule_ids", None) or []
    return str(ids[0]) if ids else ""


def _keep_model_on_update(original: Any) -> Any:
    def update(
        logical_id: str, resource_json: Any, rmap: Any, account_id: str, region_name: str
    ) -> Any:
        model = original(logical_id, resource_json, rmap, account_id, region_name)
        if model is not None:
            return model
        model = rmap._parsed_resources.get(logical_id)
        handler = registry.get(resource_json.get("Type", ""))
        if model is not None and handler is not None:
            desired = templates.resolve_properties(rmap, resource_json)
            physical = str(model.physical_resource_id)
            handler.apply(account_id, region_name, physical, desired)
        return model

    return update


_applied: list[bool] = []


def apply() -> None:
    """Idempotent."""
    if _applied:
        return
    _applied.append(True)
    _wrap_create(Parameter, before=_ssm_tags_as_list)
    _wrap_create(FakeBucket, after=_s3_versioning)
    _wrap_create(Topic, after=_sns_tags)
    _wrap_create(Role, after=_role_managed_policies)
    _wrap_create(SecurityGroup, after=_sg_rules)
    ingress: Any = SecurityGroupIngress
    ingress.create_from_cloudformation_json = _ingress_rule_ids(
        ingress.create_from_cloudformation_json.__func__
    )
    ingress.physical_resource_id = property(_ingress_physical_id)
    # ResourceMap.update looks the function up in its module at call time.
    parsing.parse_and_update_resource = _keep_model_on_update(parsing.parse_and_update_resource)
