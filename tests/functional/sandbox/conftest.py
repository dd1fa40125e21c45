"""Fixtures: one sandbox server per test session, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import Clients


@pytest.fixture(scope="session")
def sb(aws_sandbox: AwsSandbox) -> AwsSandbox:
    return aws_sandbox


@pytest.fixture(autouse=True)
def _reset(sb: AwsSandbox) -> Iterator[None]:
    sb.reset()
    yield
    sb.reset()


@pytest.fixture(scope="session")
def aws(sb: AwsSandbox) -> Clients:
    return Clients(sb)
