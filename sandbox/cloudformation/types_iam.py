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
    # Policies and ManagedPolicyArns: "No interruption". Read as IAM holds them, whoever put
    # them there: an inline policy written by an `AWS::IAM::Policy` or a managed policy
    # attached by an `AWS::IAM::ManagedPolicy` (`Roles`) of another stack shows as an ADD on
    # the role's property when the role declares it (guess: the drift-aware change set guide
    # names these attachments; research.md §6 could not confirm the paths). A revert deletes
    # or detaches what the template does not list. PermissionsBoundary is not modelled.
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
        props["Policies"] = [
            {"PolicyName": name, "PolicyDocument": _document(document)}
            for name, document in role.policies.items()
        ]
        props["ManagedPolicyArns"] = list(role.managed_policies)
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
        if "Policies" in desired:
            wanted = {str(p["PolicyName"]): p["PolicyDocument"] for p in desired["Policies"] or []}
            for name in [str(p["PolicyName"]) for p in current.get("Policies", [])]:
                if name not in wanted:
                    backend.delete_role_policy(physical_id, name)
            for name, document in wanted.items():
                text = document if isinstance(document, str) else json.dumps(document)
                backend.put_role_policy(physical_id, name, text)
        if "ManagedPolicyArns" in desired:
            wanted_arns = [str(a) for a in desired["ManagedPolicyArns"] or []]
            for arn in current.get("ManagedPolicyArns", []):
                if arn not in wanted_arns:
                    backend.detach_role_policy(arn, physical_id)
            for arn in wanted_arns:
                if arn not in current.get("ManagedPolicyArns", []):
                    backend.attach_role_policy(arn, physical_id)
        if "Tags" in desired:
            current_tags = tag_map(current.get("Tags", []))
            to_set, to_remove = tag_changes(current_tags, tag_map(desired["Tags"]))
            if to_remove:
                backend.untag_role(physical_id, to_remove)
            if to_set:
                backend.tag_role(physical_id, tag_list(to_set))


def _document(document: Any) -> Any:
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return document
    return document


HANDLERS: list[ResourceType] = [IamRole()]
