"""The handler's fixtures (sandbox environment, notice inbox, state table)."""

from tests.functional.handler.conftest import aws, inbox, table

__all__ = ["aws", "inbox", "table"]
