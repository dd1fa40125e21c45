"""Which service role a change set runs under: never the one a stack's owners chose replaced.

CreateChangeSet's RoleARN (botocore model): "CloudFormation uses this role for all future
operations on the stack ... If you don't specify a value, CloudFormation uses the role that
was previously associated with the stack." Passing a role re-assigns it for good, so the
configured role is passed only to a stack that has none of its own.
"""

from __future__ import annotations

from enum import StrEnum

from healer.model import Record


class RoleSource(StrEnum):
    STACK = "STACK"  # the stack's own role, kept (nothing passed)
    CONFIGURED = "CONFIGURED"  # CLOUDFORMATION_ROLE_ARN, passed: it becomes the stack's role
    CALLER = "CALLER"  # no role anywhere: a session from the function's own credentials


class ServiceRole(Record):
    arn: str | None
    source: RoleSource

    @property
    def to_pass(self) -> str | None:
        """The RoleARN to send with CreateChangeSet (None: send nothing)."""
        return self.arn if self.source is RoleSource.CONFIGURED else None

    def describe(self) -> str:
        if self.source is RoleSource.STACK:
            return f"{self.arn} (the stack's own service role, kept)"
        if self.source is RoleSource.CONFIGURED:
            return (
                f"{self.arn} (CLOUDFORMATION_ROLE_ARN, passed because the stack had no role; "
                "it is now the stack's role)"
            )
        return "the healer function's own credentials (no service role on the stack or configured)"


def choose_service_role(stack_role_arn: str | None, configured_role_arn: str | None) -> ServiceRole:
    if stack_role_arn:
        return ServiceRole(arn=stack_role_arn, source=RoleSource.STACK)
    if configured_role_arn:
        return ServiceRole(arn=configured_role_arn, source=RoleSource.CONFIGURED)
    return ServiceRole(arn=None, source=RoleSource.CALLER)
