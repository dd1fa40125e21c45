"""``drift-healer sandbox`` as a user runs it: a separate process, read through its output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

READY_LINE = "Ctrl-C stops."


def cli_env() -> dict[str, str]:
    """This environment without any AWS settings (a fresh shell)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SNS_"))}
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = f"{os.path.dirname(sys.executable)}{os.pathsep}{env.get('PATH', '')}"
    return env


class SandboxProcess:
    """A running ``python -m drift_healer_cli sandbox``; its stdout is collected as it comes."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "drift_healer_cli", "sandbox", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
        )
        self._lines: list[str] = []
        self._errors: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self._lines)),
            threading.Thread(target=self._read, args=(self.process.stderr, self._errors)),
        ]
        for reader in self._readers:
            reader.daemon = True
            reader.start()

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    @property
    def output(self) -> str:
        return "".join(self._lines)

    @property
    def errors(self) -> str:
        return "".join(self._errors)

    def wait_for(self, text: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the sandbox exited ({self.process.returncode}) before printing {text!r}:\n"
                    f"{self.output}\n{self.errors}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} after {timeout} s:\n{self.output}")
            time.sleep(0.1)
        return self.output

    @property
    def banner(self) -> str:
        return self.wait_for(READY_LINE)

    @property
    def exports(self) -> dict[str, str]:
        return dict(re.findall(r"^\s*export (\w+)=(\S+)$", self.banner, flags=re.MULTILINE))

    @property
    def examples(self) -> list[str]:
        """The banner's example commands, as printed (one per line)."""
        block = self.banner.split("Then, for example", 1)[1].split("\n\n", 1)[0]
        return [line.strip() for line in block.splitlines()[1:] if line.strip()]

    def control(self, path: str, body: Any = None) -> tuple[int, Any]:
        url = f"{self.exports['AWS_ENDPOINT_URL']}/_sandbox{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
