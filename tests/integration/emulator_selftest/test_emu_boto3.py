"""boto3 (this machine's AWS SDK for Python) against the emulator: InvokeWithResponseStream
read event by event, as the SDK parses AWS's event-stream framing (CRCs included)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from emu_selftest_helpers import emu_start, fn_dir, layer_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.emulator_selftest


def boto3_python():
    """An interpreter that has boto3: this one, the python3 on PATH, or pyenv's."""
    candidates = [sys.executable, shutil.which("python3")]
    if shutil.which("pyenv"):
        found = subprocess.run(["pyenv", "which", "python3"], capture_output=True, text=True, timeout=30)
        candidates.append(found.stdout.strip())
    for py in candidates:
        if py and subprocess.run([py, "-c", "import boto3"], capture_output=True, timeout=60).returncode == 0:
            return py
    return None


SCRIPT = r"""
import json, sys, time
import boto3
from botocore.config import Config
port, name, event, tail = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "tail"
client = boto3.client("lambda", endpoint_url="http://127.0.0.1:" + port, region_name="us-east-1",
                      aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                      config=Config(retries={"max_attempts": 1}))
kwargs = {"FunctionName": name, "Payload": event.encode()}
if tail:
    kwargs["LogType"] = "Tail"
r = client.invoke_with_response_stream(**kwargs)
out = {"status": r["StatusCode"], "version": r["ExecutedVersion"],
       "ctype": r["ResponseStreamContentType"], "events": []}
for ev in r["EventStream"]:
    if "PayloadChunk" in ev:
        out["events"].append(["chunk", ev["PayloadChunk"]["Payload"].decode(), time.monotonic()])
    else:
        out["events"].append(["complete", ev["InvokeComplete"], time.monotonic()])
try:
    client.invoke(FunctionName=name + ":9")
except client.exceptions.ResourceNotFoundException as e:
    out["missing"] = e.response["Error"]["Message"]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def boto3_py():
    py = boto3_python()
    if py is None:
        assert not os.environ.get("CI"), "boto3 is needed (pip install boto3)"
        pytest.skip("boto3 is not installed")
    return py


def stream_with_boto3(py, port, name, event, tail=False):
    run = subprocess.run([py, "-c", SCRIPT, str(port), name, json.dumps(event), "tail" if tail else ""],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_boto3_reads_the_stream_chunk_by_chunk(emu_start, fn_dir, layer_dir, boto3_py):
    emu = emu_start("s=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    out = stream_with_boto3(boto3_py, emu.port, "s",
                            {"action": "stream", "n": 3, "delay": 0.5, "ctype": "text/csv"})
    assert (out["status"], out["version"], out["ctype"]) == (200, "$LATEST", "text/csv")
    kinds = [e[0] for e in out["events"]]
    assert kinds == ["chunk", "chunk", "chunk", "complete"]
    assert [e[1] for e in out["events"][:3]] == ["part0;", "part1;", "part2;"]
    # each chunk reached the SDK when the runtime sent it, not all at the end
    assert out["events"][2][2] - out["events"][0][2] > 0.7
    assert out["events"][3][1] == {}
    assert out["missing"] == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:s:9"


def test_boto3_sees_a_mid_stream_error_and_the_log_tail(emu_start, fn_dir, layer_dir, boto3_py):
    import base64
    emu = emu_start("s=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    out = stream_with_boto3(boto3_py, emu.port, "s", {"action": "streamerr"}, tail=True)
    assert [e[0] for e in out["events"]] == ["chunk", "complete"]
    assert out["events"][0][1] == "first;"
    complete = out["events"][1][1]
    assert complete["ErrorCode"] == "Function.Mid" and complete["ErrorDetails"] == "mid"
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "START RequestId:" in log and "streamed response failed: Function.Mid: mid" in log
    assert "REPORT RequestId:" in log


def test_boto3_reads_a_buffered_answer_as_one_chunk(emu_start, fn_dir, layer_dir, boto3_py):
    emu = emu_start("s=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    out = stream_with_boto3(boto3_py, emu.port, "s", {"plain": "answer"})
    assert (out["status"], out["ctype"]) == (200, "application/json")
    assert [e[0] for e in out["events"]] == ["chunk", "complete"]
    assert json.loads(out["events"][0][1]) == {"plain": "answer"}
    out = stream_with_boto3(boto3_py, emu.port, "s", {"action": "error"})
    assert [e[0] for e in out["events"]] == ["complete"]
    assert out["events"][0][1] == {"ErrorCode": "Function.Boom", "ErrorDetails": "boom"}
