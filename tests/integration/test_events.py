"""The event-binding examples, with AWS-shaped events, through the emulator."""
import copy
import json
import pathlib

from conftest import spec

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load(name):
    return json.loads((EXAMPLES / name / "event.json").read_text())


def http_event(method, path, body=None):
    event = copy.deepcopy(load("http-api"))
    event["rawPath"] = path
    event["routeKey"] = "$default"
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event.pop("pathParameters", None)
    if body is not None:
        event["body"] = body
        event["isBase64Encoded"] = False
        event["headers"]["content-type"] = "application/json"
    return event


def test_http_api_routes(emulator):
    emu = emulator([spec("http-api")])

    def call(method, path, body=None):
        answer = emu.invoke("http-api", http_event(method, path, body))
        assert answer.status == 200 and answer.function_error is None, answer
        return answer.json()

    item = call("GET", "/items/2")
    assert item["statusCode"] == 200 and json.loads(item["body"])["id"] == 2
    listing = call("GET", "/items")
    assert listing["statusCode"] == 200 and isinstance(json.loads(listing["body"]), (list, dict))
    created = call("POST", "/items", json.dumps({"name": "lamp", "price": 12.5}))
    assert created["statusCode"] == 201
    assert any(k.lower() == "location" for k in created["headers"]), created
    assert call("DELETE", "/items/2")["statusCode"] == 405
    assert call("GET", "/nothing-here")["statusCode"] == 404
    assert call("POST", "/items", "{not json")["statusCode"] == 400


def test_sqs_batch_reports_partial_failures(emulator):
    emu = emulator([spec("sqs-batch")])
    event = load("sqs-batch")
    answer = emu.invoke("sqs-batch", event)
    assert answer.status == 200 and answer.function_error is None, answer
    bad = [r["messageId"] for r in event["Records"]
           if not r["body"].startswith("{") or json.loads(r["body"]).get("amount", 0) < 0]
    assert answer.json() == {"batchItemFailures": [{"itemIdentifier": i} for i in bad]}
    assert len(bad) == 2
