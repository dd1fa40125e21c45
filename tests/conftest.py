"""One local AWS sandbox per test session.

moto keeps its state per process, so every test folder shares this server and resets it
between tests instead of starting its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.emulator import AwsSandbox


@pytest.fixture(scope="session")
def aws_sandbox() -> Iterator[AwsSandbox]:
    sandbox = AwsSandbox.start(port=0, region="us-east-1")
    try:
        yield sandbox
    finally:
        sandbox.stop()
