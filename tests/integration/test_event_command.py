"""`lambda-c event TYPE`: every type and every option makes an event that the SDK's own typed
views parse to what was asked (event_probe, a C program on liblambda-c-events), and the
default events have the key structure of AWS's published samples (tests/events/)."""
import json
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT

pytestmark = pytest.mark.packaging

COMMAND = BUILD / "sdk" / "bin" / "lambda-c"
PROBE = BUILD / "tests" / "integration" / "event_probe"
PROBE_KIND = {"apigw-v2": "http", "apigw-v1": "http", "alb": "http", "function-url": "http", "sqs": "sqs",
              "sns": "sns", "s3": "s3", "eventbridge": "eventbridge", "dynamodb": "dynamodb", "kinesis": "kinesis"}
HTTP_FORMAT = {"apigw-v1": 1, "apigw-v2": 2, "function-url": 3, "alb": 4}


def event(*args):
    run = subprocess.run([sys.executable, str(COMMAND), "event", *map(str, args)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def probe(kind, ev):
    run = subprocess.run([str(PROBE), kind], input=json.dumps(ev), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, (run.stdout, run.stderr)
    return json.loads(run.stdout)


def seen(kind, *args):
    ev = event(kind, *args)
    return ev, probe(PROBE_KIND[kind], ev)


def header(view, name):
    for key, values in view["headers"].items():
        if key.lower() == name.lower():
            return values
    return None


@pytest.mark.parametrize("kind", sorted(HTTP_FORMAT))
def test_http_defaults(kind):
    _ev, view = seen(kind)
    assert view["format"] == HTTP_FORMAT[kind] or (kind == "alb" and view["format"] == 4)
    assert (view["method"], view["path"], view["body_hex"]) == ("GET", "/", "")
    assert view["source_ip"] == "203.0.113.7"
    assert header(view, "user-agent") == ["curl/8.5.0"]


@pytest.mark.parametrize("kind", sorted(HTTP_FORMAT))
def test_http_every_option(kind):
    args = ["--method", "PUT", "--path", "/files/a%20b/c.txt?x=1", "--query", "tag=red", "--query", "tag=blue",
            "--query", "q=café au lait", "-H", "X-Custom: one", "-H", "X-Custom: two", "-H", "Accept: text/plain",
            "--cookie", "session=abc", "--cookie", "theme=dark", "--body", '{"a":1}',
            "--region", "eu-west-1", "--account", "210987654321"]
    if kind in ("apigw-v1", "apigw-v2"):
        args += ["--route", "/files/{proxy+}", "--stage", "test"]
    if kind == "alb":
        args += ["--multi-value"]
    ev, view = seen(kind, *args)
    assert view["format"] == (5 if kind == "alb" else HTTP_FORMAT[kind])
    assert view["method"] == "PUT"
    assert view["path"] == "/files/a b/c.txt" or (kind in ("alb", "apigw-v2", "function-url")
                                                   and view["path"] in ("/files/a%20b/c.txt", "/files/a b/c.txt"))
    assert view["query"]["tag"] == ["red", "blue"]
    assert view["query"]["x"] == ["1"]
    assert view["query"]["q"] == ["café au lait"]
    assert header(view, "x-custom") in (["one", "two"], ["one,two"])
    assert header(view, "accept") == ["text/plain"]
    assert view["cookies"] == {"session": "abc", "theme": "dark"}
    assert bytes.fromhex(view["body_hex"]) == b'{"a":1}' and not view["body_is_base64"]
    if kind in ("apigw-v1", "apigw-v2"):
        assert view["path_params"] == {"proxy": "a b/c.txt"}
        assert view["stage"] == "test"
    if kind != "alb":
        assert "eu-west-1" in view["domain_name"]
    text = json.dumps(ev)
    assert "210987654321" in text and "123456789012" not in text


@pytest.mark.parametrize("kind", sorted(HTTP_FORMAT))
def test_http_binary_body(kind, tmp_path):
    data = bytes(range(256)) * 3
    (tmp_path / "blob").write_bytes(data)
    ev, view = seen(kind, "--body", f"@{tmp_path / 'blob'}", "--base64")
    assert ev["isBase64Encoded"] is True and view["body_is_base64"]
    assert bytes.fromhex(view["body_hex"]) == data
    assert view["method"] == "POST"


def test_http_route_parameters():
    for kind in ("apigw-v1", "apigw-v2"):
        ev, view = seen(kind, "--route", "/users/{user}/orders/{order}", "--path", "/users/7/orders/9")
        assert view["path_params"] == {"user": "7", "order": "9"}
        assert (ev.get("routeKey") or ev.get("resource")) in ("GET /users/{user}/orders/{order}",
                                                              "/users/{user}/orders/{order}")
    bad = subprocess.run([sys.executable, str(COMMAND), "event", "apigw-v2", "--route", "/a/{b}", "--path", "/c/d"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "does not match" in bad.stderr


def test_sqs_options():
    ev, view = seen("sqs", "--queue", "orders.fifo", "--message", "first", "--message", '{"n":2}', "--count", "5",
                    "--attribute", "origin=test", "--region", "eu-west-1", "--account", "210987654321")
    bodies = [r["body"] for r in view["records"]]
    assert bodies == ["first", '{"n":2}', "first", '{"n":2}', "first"]
    assert len({r["id"] for r in view["records"]}) == 5
    for r in view["records"]:
        assert r["arn"] == "arn:aws:sqs:eu-west-1:210987654321:orders.fifo"
        assert r["region"] == "eu-west-1" and r["group_id"] == "1"
        assert r["attributes"] == {"origin": "test"}
    import hashlib
    assert view["records"][0]["md5"] == hashlib.md5(b"first").hexdigest()


def test_sns_options():
    _ev, view = seen("sns", "--topic", "alerts", "--subject", "Disk full", "--message", "m1", "--count", "2",
                     "--attribute", "severity=high", "--region", "us-west-2")
    assert [r["message"] for r in view["records"]] == ["m1", "m1"]
    for r in view["records"]:
        assert r["subject"] == "Disk full" and r["type"] == "Notification"
        assert r["topic_arn"] == "arn:aws:sns:us-west-2:123456789012:alerts"
        assert r["attributes"] == {"severity": "high"}


def test_s3_options():
    ev, view = seen("s3", "--bucket", "photos", "--key", "my holiday/(café)+1.jpg", "--key", "b.txt",
                    "--event-name", "ObjectCreated:Copy", "--size", "77", "--region", "ap-south-1")
    assert [r["key"] for r in view["records"]] == ["my holiday/(café)+1.jpg", "b.txt"]
    assert view["records"][0]["key_raw"] != view["records"][0]["key"]  # sent URL-encoded, as S3 does
    for r in view["records"]:
        assert (r["bucket"], r["event_name"], r["size"], r["region"]) == ("photos", "ObjectCreated:Copy", 77,
                                                                           "ap-south-1")
        assert r["bucket_arn"] == "arn:aws:s3:::photos"
    _ev, removed = seen("s3", "--event-name", "ObjectRemoved:Delete", "--count", "3")
    assert len(removed["records"]) == 3 and removed["records"][0]["event_name"] == "ObjectRemoved:Delete"


def test_eventbridge_options(tmp_path):
    (tmp_path / "detail.json").write_text('{"state": "stopped", "nested": {"n": [1, 2]}}')
    _ev, view = seen("eventbridge", "--source", "aws.ec2", "--detail-type", "EC2 Instance State-change Notification",
                     "--detail", f"@{tmp_path / 'detail.json'}", "--resource", "arn:aws:ec2:us-east-1:1:instance/i-1",
                     "--account", "111122223333", "--region", "us-west-1")
    assert view["source"] == "aws.ec2" and view["detail_type"] == "EC2 Instance State-change Notification"
    assert view["detail"] == {"state": "stopped", "nested": {"n": [1, 2]}}
    assert view["resources"] == ["arn:aws:ec2:us-east-1:1:instance/i-1"]
    assert (view["account"], view["region"], view["version"]) == ("111122223333", "us-west-1", "0")
    _ev, inline = seen("eventbridge", "--detail", '{"x": true}')
    assert inline["detail"] == {"x": True}


def test_dynamodb_options():
    image = {"pk": "user#1", "n": 12.5, "ok": True, "none": None, "tags": ["a", {"b": 1}], "m": {"k": "v"}}
    _ev, view = seen("dynamodb", "--table", "users", "--keys", '{"pk": "user#1"}', "--new-image", json.dumps(image),
                     "--old-image", '{"pk": "user#1", "n": 3}', "--event-name", "MODIFY", "--count", "2",
                     "--region", "eu-central-1")
    assert len(view["records"]) == 2
    r = view["records"][0]
    assert (r["event_name"], r["view_type"], r["region"]) == ("MODIFY", "NEW_AND_OLD_IMAGES", "eu-central-1")
    assert r["arn"].startswith("arn:aws:dynamodb:eu-central-1:123456789012:table/users/stream/")
    assert r["keys"] == {"pk": "user#1"}
    assert r["new_image"] == {"pk": "user#1", "n": "12.5", "ok": True, "none": None, "tags": ["a", {"b": "1"}],
                              "m": {"k": "v"}}
    assert r["old_image"] == {"pk": "user#1", "n": "3"}
    _ev, removed = seen("dynamodb", "--event-name", "REMOVE", "--view-type", "OLD_IMAGE")
    assert removed["records"][0]["new_image"] is None and removed["records"][0]["old_image"]["Id"] == "101"
    _ev, keys_only = seen("dynamodb", "--view-type", "KEYS_ONLY")
    assert keys_only["records"][0]["new_image"] is None and keys_only["records"][0]["keys"] == {"Id": "101"}


def test_kinesis_options(tmp_path):
    (tmp_path / "bin").write_bytes(b"\x00\xff\x10binary")
    _ev, view = seen("kinesis", "--stream", "clicks", "--data", "one", "--data", f"@{tmp_path / 'bin'}", "--count", "3",
                     "--partition-key", "user-7", "--region", "sa-east-1")
    assert [bytes.fromhex(r["data_hex"]) for r in view["records"]] == [b"one", b"\x00\xff\x10binary", b"one"]
    for r in view["records"]:
        assert r["partition_key"] == "user-7" and r["region"] == "sa-east-1"
        assert r["arn"] == "arn:aws:kinesis:sa-east-1:123456789012:stream/clicks"
    assert len({r["sequence_number"] for r in view["records"]}) == 3


# ---------------------------------------------------------------- shapes of AWS's samples

FIXTURE = {"apigw-v2": "apigw-http-v2.json", "apigw-v1": "apigw-rest-v1.json", "alb": "alb.json",
           "function-url": "function-url.json", "sqs": "sqs.json", "sns": "sns.json", "s3": "s3-put.json",
           "eventbridge": "eventbridge.json", "dynamodb": "dynamodb-stream.json", "kinesis": "kinesis.json"}
# Maps whose keys are the user's data (header names, attribute names...): compared as a whole.
FREE = {"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters",
        "stageVariables", "detail", "MessageAttributes", "messageAttributes", "Keys", "NewImage", "OldImage",
        "authorizer", "attributes"}
# Keys AWS leaves out when the request has none of it (HTTP API and Function URL).
ABSENT_WHEN_EMPTY = {"cookies", "queryStringParameters", "body", "pathParameters"}
# AWS's Function URL sample is of an AWS_IAM URL; with AuthType NONE there is no authorizer.
AUTH_ONLY = {".requestContext.authorizer"}


def key_paths(value, prefix=""):
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}"
            paths.add(path)
            if key not in FREE:
                paths |= key_paths(item, path)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        paths |= key_paths(value[0], prefix + "[]")
    return paths


@pytest.mark.parametrize("kind", sorted(FIXTURE))
def test_default_event_has_the_shape_of_aws_sample(kind):
    sample = json.loads((ROOT / "tests" / "events" / FIXTURE[kind]).read_text())
    ours = key_paths(event(kind))
    theirs = key_paths(sample)
    optional = {p for p in theirs if p.split(".")[-1] in ABSENT_WHEN_EMPTY and kind in ("apigw-v2", "function-url")}
    assert ours - theirs == set(), "keys AWS's sample does not have"
    assert theirs - ours - optional - AUTH_ONLY == set(), "keys of AWS's sample missing"


def test_bad_usage_is_explained():
    for args, text in ((["nosuch"], "unknown event type"), (["sqs", "--count", "0"], "--count"),
                       (["apigw-v2", "--header", "novalue"], "NAME:VALUE"), (["dynamodb", "--keys", "{"], "not JSON"),
                       (["sqs", "--account", "12"], "12 digits"), (["apigw-v1", "--path", "x"], "must start with /")):
        run = subprocess.run([sys.executable, str(COMMAND), "event", *args], capture_output=True, text=True)
        assert run.returncode == 2 and text in run.stderr, (args, run.stderr)
