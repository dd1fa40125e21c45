"""``drift-healer accept STACK --reason ...``: keep the change (issue 17).

A run waiting for a decision on STACK is answered ACCEPT (the same call as the approval
page's *Keep the change*); with none waiting, a run is started with ``"AcceptDrift": true``
and followed to its end. Either way the drift is written into the stack's template, the
resources are left as they are, and the notice (and the printed result) has the diff to
commit to the template's source.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from botocore.exceptions import BotoCoreError, ClientError

from drift_healer_cli.approvals import Wanted, _answer, find_waiting, lambda_client
from drift_healer_cli.run import run_here, run_on_service


def accept(args: argparse.Namespace) -> int:
    args.by = args.by or f"{getpass.getuser()} (drift-healer CLI)"
    endpoint = args.durable_endpoint or os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
    try:
        client = lambda_client(endpoint)
        waiting = find_waiting(client, args.function, Wanted.of(args))
    except (BotoCoreError, ClientError) as problem:
        if endpoint:
            print(f"error: {endpoint}: {problem}", file=sys.stderr)
            return 2
        waiting = []  # no service to ask: nothing waits there
    if waiting:
        return _answer(args, client, "ACCEPT")
    print(f"No run waits on {args.stack}: starting one with AcceptDrift.", flush=True)
    args.accept_drift = True
    return run_on_service(args, endpoint) if endpoint else run_here(args)
