"""AWS::IAM::Role reader and writer (moto's IAM backend)."""

from __future__ import annotations

import json
from typing import Any

from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from .resource_types import ResourceType, tag_changes, tag_list, tag_map


class IamRole(ResourceType):
    # aws-resource-iam-role: RoleName and Path "Update requires: Replacement";
    # AssumeRolePolicyDocument, Description, MaxSessionDuration, Tags "No interruption".
    # Policies, ManagedPolicyArns and PermissionsBoundary are not modelled (not read, so
    # never reported as drift).
    type_name = "AWS::IAM::Role"
    replacement = frozenset({"RoleName", "Path"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        backend = iam_backends[account][get_partition(region)]
        try:
            role = backend.get_role(physical_id)
        except NotFoundException:
            return None
        document = role.assume_role_policy_document
        props: dict[str, Any] = {
            "RoleName": role.name,
            "Path": role.path,
            "AssumeRolePolicyDocument": json.loads(document)
            if isinstance(document, str)
            else document,
            "Tags": [{"Key": t["Key"], "Value": t["Value"]} for t in role.tags],
        }
        if role.description:
            props["Description"] = role.description
        if role.max_session_duration is not None:
            props["MaxSessionDuration"] = int(role.max_session_duration)
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = iam_backends[account][get_partition(region)]
        current = self.read(account, region, physical_id) or {}
        if "AssumeRolePolicyDocument" in desired:
            document = desired["AssumeRolePolicyDocument"]
            text = document if isinstance(document, str) else json.dumps(document)
            backend.update_assume_role_policy(physical_id, text)
        if "Description" in desired or "MaxSessionDuration" in desired:
            backend.update_role(
                physical_id,
                str(desired.get("Description", current.get("Description", ""))),
                str(desired.get("MaxSessionDuration", current.get("MaxSessionDuration", 3600))),
            )
        if "Tags" in desired:
            current_tags = tag_map(current.get("Tags", []))
            to_set, to_remove = tag_changes(current_tags, tag_map(desired["Tags"]))
            if to_remove:
                backend.untag_role(physical_id, to_remove)
            if to_set:
                backend.tag_role(physical_id, tag_list(to_set))


HANDLERS: list[ResourceType] = [IamRole()]
