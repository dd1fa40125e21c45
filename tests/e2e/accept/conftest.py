"""The approval tests' world: sandbox, local durable service, the page, the relay."""

from tests.e2e.approval.conftest import approvals

__all__ = ["approvals"]
