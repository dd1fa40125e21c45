"""The handler tests' fixtures (the sandbox's environment, the inbox, the state table)."""

from tests.functional.handler.conftest import aws, inbox, table

__all__ = ["aws", "inbox", "table"]
