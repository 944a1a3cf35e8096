"""The AWS CLI talks to the emulator's Invoke API as it would to Lambda."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import spec

AWS = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws")


@pytest.mark.skipif(AWS is None, reason="the AWS CLI (Debian package awscli) is not installed")
def test_aws_cli_invoke(emulator, tmp_path):
    emu = emulator([spec("hello"), spec("fail")])
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)

    def invoke(name, payload, out):
        result = subprocess.run(
            [AWS, "lambda", "invoke", "--endpoint-url", f"http://127.0.0.1:{emu.port}",
             "--function-name", name, "--payload", payload, "--cli-binary-format", "raw-in-base64-out",
             "--log-type", "Tail", str(out)],
            env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    meta = invoke("hello", '{"name":"CLI"}', tmp_path / "hello.json")
    assert meta["StatusCode"] == 200
    assert "FunctionError" not in meta
    assert "START RequestId" in __import__("base64").b64decode(meta["LogResult"]).decode()
    assert json.loads((tmp_path / "hello.json").read_text()) == {"message": "Hello, CLI!"}

    meta = invoke("fail", '{"reason":"cli"}', tmp_path / "fail.json")
    assert meta["StatusCode"] == 200
    assert meta["FunctionError"] == "Unhandled"
    assert json.loads((tmp_path / "fail.json").read_text())["errorType"] == "OrderRejected"
