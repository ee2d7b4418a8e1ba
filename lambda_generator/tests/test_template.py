"""The SAM template passes cfn-lint and keeps the function's permissions narrow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from lambda_generator.package import LAMBDA_PYTHON

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Sub, !Ref, !GetAtt) kept as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node))


def test_cfn_lint_passes_and_would_catch_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEMPLATE.read_text().replace("GeneratorRole.Arn", "MissingRole.Arn"))
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([cfn_lint, str(TEMPLATE), str(broken)], capture_output=True, text=True)
    assert "MissingRole" in result.stdout and str(broken) in result.stdout
    assert str(TEMPLATE) not in result.stdout, result.stdout  # the real template: no findings


def test_function_schedule_bucket_and_narrow_role() -> None:
    resources = yaml.load(TEMPLATE.read_text(), Loader=_Loader)["Resources"]
    function = resources["GeneratorFunction"]["Properties"]
    assert function["Handler"] == "lambda_generator.handler.lambda_handler"
    assert function["Runtime"] == f"python{LAMBDA_PYTHON}"
    assert function["Events"]["Daily"]["Type"] == "Schedule"
    assert resources["RawBucket"]["Type"] == "AWS::S3::Bucket"
    statements = resources["GeneratorRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    actions = {s["Action"]: s["Resource"] for s in statements["Statement"]}
    assert actions == {
        "s3:PutObject": "${RawBucket.Arn}/${RawPrefix}/*",
        "s3:GetObject": "${RawBucket.Arn}/${RawPrefix}/_generator/*",
        "s3:ListBucket": "RawBucket.Arn",
    }
