"""Expand the SAM template to plain CloudFormation (what CloudFormation deploys), offline.

Used by the template tests and by `make checkov`, which scans the expanded JSON.
Usage: python tools/expand_template.py template.yaml OUT.json
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

from cfnlint.decode import decode
from samtranslator.translator.transform import transform


class _ManagedPolicies:
    """The managed policies SAM attaches by name, without asking IAM (no AWS account here)."""

    def load(self) -> dict[str, str]:
        return {
            "AWSLambdaBasicDurableExecutionRolePolicy": (
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicDurableExecutionRolePolicy"
            ),
        }


def expand(template_path: Path) -> dict[str, Any]:
    template, errors = decode(str(template_path))
    if errors or template is None:
        raise ValueError(f"{template_path}: {errors}")
    template = copy.deepcopy(template)
    # `sam package` replaces the local CodeUri / ContentUri with an S3 location before the
    # transform.
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "s3://bucket/layer.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return transform(template, {}, _ManagedPolicies())  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[1]), Path(argv[2])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(expand(source), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
