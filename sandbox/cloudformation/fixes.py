"""Fixes to moto 5.2.5's template support, applied at run time.

Without them a freshly created stack would already show (false) drift:
- AWS::SSM::Parameter ``Tags`` is a JSON map in CloudFormation (resource reference);
  moto expects a Key/Value list and crashes.
- AWS::S3::Bucket ``VersioningConfiguration`` is ignored by moto on create.
- AWS::SNS::Topic ``Tags`` are not stored as topic tags by moto on create.
"""

from __future__ import annotations

from typing import Any

from moto.s3.models import FakeBucket, s3_backends
from moto.sns.models import Topic, sns_backends
from moto.ssm.models import Parameter
from moto.utilities.utils import get_partition

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


_applied: list[bool] = []


def apply() -> None:
    """Idempotent."""
    if _applied:
        return
    _applied.append(True)
    _wrap_create(Parameter, before=_ssm_tags_as_list)
    _wrap_create(FakeBucket, after=_s3_versioning)
    _wrap_create(Topic, after=_sns_tags)
