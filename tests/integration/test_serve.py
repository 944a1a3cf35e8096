"""`lambda-c serve`: a local HTTP API from a SAM template, driven with a real HTTP client
(http.client) from a project outside the checkout (the installed SDK archive): HTTP API
payload 2.0, REST API with multi-value headers and query strings, Function URLs (buffered and
streamed), routing precedence, binary bodies, cookies, the HTTP API's inference, 502s, and the
template's, --env-file's and --env's environment."""
import base64
import http.client
import json
import shutil
import urllib.parse

import pytest

from conftest import BUILD, ROOT
from sdk_helpers import LambdaCServer, installed_sdk

pytestmark = pytest.mark.packaging

PROJECT = ROOT / "tests" / "integration" / "serve_project"


@pytest.fixture(scope="module")
def sdk():
    yield from installed_sdk(BUILD)


@pytest.fixture(scope="module")
def server(sdk):
    run = sdk.lambda_c("new", "api", "--template", "http")
    assert run.returncode == 0, run.stderr
    project = sdk.work / "api"
    shutil.copy(PROJECT / "handler.c", project / "api.c")
    shutil.copy(PROJECT / "template.yaml", project / "template.yaml")
    (project / "env.json").write_text(json.dumps({"Parameters": {"FROM_FILE": "file"},
                                                  "RestFn": {"LABEL": "rest-from-file"}}))
    wait_file = sdk.work / "seen-first-chunk"
    srv = LambdaCServer(sdk, "serve", "--port", "0", "--env-file", "env.json", "--env", "OVERRIDE=cli",
                        "--env", f"WAIT_FILE={wait_file}", cwd=project)
    srv.wait_file = wait_file
    yield srv
    srv.stop()


def request(base, method, path, body=None, headers=None):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def all_values(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def echo(server, method, path, **kwargs):
    status, headers, body = request(server.url_of("HttpFn"), method, path, **kwargs)
    assert status == 200, (status, body, server.log()[-3000:])
    return json.loads(body)


def test_routes_are_listed_and_logged(server):
    for text in ("GET /items/{id} -> HttpFn (HTTP API)", "POST /items/{id} -> OtherFn (HTTP API)",
                 "$default -> OtherFn (HTTP API)", "/v1/things/{id} -> RestFn (REST API)",
                 "(any path) -> UrlFn (Function URL)", "(any path) -> StreamFn (Function URL)"):
        assert any(text in line for line in server.lines if line), text
    echo(server, "GET", "/items/7")
    server.wait_for("GET /items/7 -> HttpFn [GET /items/{id}] 200")


@pytest.mark.parametrize("method,path,function,route_key,params", [
    ("GET", "/items/special", "http", "GET /items/special", None),
    ("GET", "/items/42", "http", "GET /items/{id}", {"id": "42"}),
    ("POST", "/items/42", "other", "POST /items/{id}", {"id": "42"}),
    ("DELETE", "/items/42", "http", "ANY /{proxy+}", {"proxy": "items/42"}),
    ("GET", "/a/b/c", "http", "ANY /{proxy+}", {"proxy": "a/b/c"}),
    ("GET", "/", "other", "$default", None),
])
def test_routing_precedence(server, method, path, function, route_key, params):
    answer = echo(server, method, path, body=b"{}" if method == "POST" else None)
    event = answer["event"]
    assert answer["label"] == function
    assert event["routeKey"] == route_key and event["requestContext"]["routeKey"] == route_key
    assert event.get("pathParameters") == params
    assert event["version"] == "2.0" and answer["format"] == 2


def test_http_api_event(server):
    answer = echo(server, "GET", "/items/9?tag=red&tag=blue&q=caf%C3%A9", headers={
        "X-Custom": "v", "Cookie": "a=1; b=2", "User-Agent": "test-agent"})
    event = answer["event"]
    assert event["rawPath"] == "/items/9" and event["rawQueryString"] == "tag=red&tag=blue&q=caf%C3%A9"
    assert event["queryStringParameters"] == {"tag": "red,blue", "q": "café"}
    assert event["cookies"] == ["a=1", "b=2"] and "cookie" not in event["headers"]
    assert event["headers"]["x-custom"] == "v"
    assert event["requestContext"]["http"] == {"method": "GET", "path": "/items/9", "protocol": "HTTP/1.1",
                                               "sourceIp": "127.0.0.1", "userAgent": "test-agent"}
    assert event["isBase64Encoded"] is False


def test_environment(server):
    answer = echo(server, "GET", "/items/1")
    assert answer["greeting"] == "hello-from-template"  # Globals, through !Ref to a parameter's default
    assert answer["override"] == "cli" and answer["from_file"] == "file"
    status, _h, body = request(server.url_of("RestFn"), "GET", "/v1/things/1")
    assert status == 200 and json.loads(body)["label"] == "rest-from-file"


def test_rest_api_multi_value(server):
    status, headers, body = request(server.url_of("RestFn"), "GET", "/v1/things/7?tag=a&tag=b&one=1",
                                    headers={"X-Multi": "x"})
    assert status == 200, body
    answer = json.loads(body)
    event = answer["event"]
    assert answer["format"] == 1 and answer["label"] == "rest-from-file"
    assert event["resource"] == "/v1/things/{id}" and event["pathParameters"] == {"id": "7"}
    assert event["httpMethod"] == "GET" and event["requestContext"]["stage"] == "Prod"
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "one": ["1"]}
    assert event["queryStringParameters"] == {"tag": "b", "one": "1"}
    assert event["multiValueHeaders"]["X-Multi"] == ["x"]
    status, headers, _body = request(server.url_of("RestFn"), "GET", "/v1/things/multi")
    assert status == 200 and all_values(headers, "X-Multi") == ["one", "two"]


def test_binary_body_round_trip(server):
    data = bytes(range(256)) * 4
    for base, path in ((server.url_of("HttpFn"), "/up/binary"), (server.url_of("RestFn"), "/v1/things/binary"),
                       (server.url_of("UrlFn"), "/binary")):
        status, headers, body = request(base, "POST", path, body=data,
                                        headers={"Content-Type": "application/octet-stream"})
        assert status == 200 and body == data, (path, status, body[:100])
        assert all_values(headers, "Content-Type") == ["application/octet-stream"]


def test_cookie_round_trip(server):
    for base, path in ((server.url_of("HttpFn"), "/x/cookies"), (server.url_of("RestFn"), "/v1/things/cookies"),
                       (server.url_of("UrlFn"), "/cookies")):
        status, headers, _body = request(base, "GET", path, headers={"Cookie": "a=1; b=2"})
        assert status == 200
        assert all_values(headers, "Set-Cookie") == ["a=1-back; Path=/", "b=2-back; Path=/"], path
        # ... and what the client stores comes back on the next request
        jar = "; ".join(c.split(";")[0] for c in all_values(headers, "Set-Cookie"))
        status, headers, _body = request(base, "GET", path, headers={"Cookie": jar})
        assert all_values(headers, "Set-Cookie") == ["a=1-back-back; Path=/", "b=2-back-back; Path=/"]


def test_http_api_inference(server):
    status, headers, body = request(server.url_of("HttpFn"), "GET", "/x/string")
    assert (status, body) == (200, b"just text")
    assert all_values(headers, "Content-Type") == ["application/json"]
    status, headers, body = request(server.url_of("HttpFn"), "GET", "/x/object")
    assert (status, json.loads(body)) == (200, {"a": 1})


@pytest.mark.parametrize("name,path,message", [
    ("HttpFn", "/x/fail", {"message": "Internal Server Error"}),
    ("HttpFn", "/x/malformed", {"message": "Internal Server Error"}),
    ("RestFn", "/v1/things/fail", {"message": "Internal server error"}),
    ("RestFn", "/v1/things/object", {"message": "Internal server error"}),  # no statusCode: malformed for REST
    ("RestFn", "/v1/things/string", {"message": "Internal server error"}),
])
def test_errors_are_502(server, name, path, message):
    status, _headers, body = request(server.url_of(name), "GET", path)
    assert status == 502 and json.loads(body) == message


def test_function_url_event(server):
    status, _h, body = request(server.url_of("UrlFn"), "PUT", "/any/path?x=1", body=b"hi",
                               headers={"Content-Type": "text/plain"})
    assert status == 200
    answer = json.loads(body)
    event = answer["event"]
    assert answer["format"] == 3 and answer["label"] == "url"
    assert event["routeKey"] == "$default" and event["rawPath"] == "/any/path" and event["body"] == "hi"
    assert event["requestContext"]["http"]["method"] == "PUT"


def test_streamed_function_url(server):
    base = urllib.parse.urlsplit(server.url_of("StreamFn"))
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    try:
        conn.request("GET", "/report")
        resp = conn.getresponse()
        assert resp.status == 201
        assert resp.getheader("X-Stream") == "yes" and resp.getheader("Set-Cookie") == "s=1; Path=/"
        assert resp.getheader("Transfer-Encoding") == "chunked"
        first = resp.read1(100)
        while not first.endswith(b"\n"):
            first += resp.read1(100)
        # the function is still running: it waits for this file before writing the rest
        assert first == b"first\n"
        server.wait_file.write_text("seen")
        assert resp.read() == b"second\n"
    finally:
        conn.close()
        server.wait_file.unlink(missing_ok=True)


def test_binary_request_reaches_function_base64(server):
    """A body of a non-text type reaches the function base64-encoded (HTTP API, Function URL)."""
    data = b"\x00\x01\xfe\xff"
    status, _h, body = request(server.url_of("HttpFn"), "POST", "/items/5", body=data,
                               headers={"Content-Type": "image/png"})
    assert status == 200
    event = json.loads(body)["event"]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == data


def test_misuse_is_explained(sdk, tmp_path):
    empty = sdk.work / "no-template"
    empty.mkdir(exist_ok=True)
    for command in (("serve",), ("watch",)):
        run = sdk.lambda_c(*command, "--port", "0", cwd=empty, timeout=60)
        assert run.returncode == 2 and "template" in run.stderr, run.stderr
    run = sdk.lambda_c("watch", "--interval", "0", cwd=empty, timeout=60)
    assert run.returncode == 2 and "--interval" in run.stderr
    (empty / "template.yaml").write_text("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                                         "    Properties: {CodeUri: ., Handler: x.handler, Events: "
                                         "{E: {Type: HttpApi, Properties: {Path: /a, Method: FETCH}}}}\n")
    run = sdk.lambda_c("serve", "--port", "0", cwd=empty, timeout=60)
    assert run.returncode == 2 and "unknown HTTP method 'FETCH'" in run.stderr, run.stderr
    (empty / "template.yaml").write_text("Resources: [\n")
    run = sdk.lambda_c("serve", "--port", "0", cwd=empty, timeout=60)
    assert run.returncode == 2 and "not a valid template" in run.stderr, run.stderr


def test_missing_pyyaml_is_named(sdk, tmp_path):
    """Without PyYAML, serve says which package to install (a yaml module that fails to import
    stands in for a machine without python3-yaml)."""
    (tmp_path / "yaml.py").write_text("raise ImportError('no yaml here')\n")
    project = sdk.work / "no-yaml"
    project.mkdir(exist_ok=True)
    (project / "template.yaml").write_text("Resources: {}\n")
    run = sdk.lambda_c("serve", "--port", "0", cwd=project, env={"PYTHONPATH": str(tmp_path)}, timeout=60)
    assert run.returncode == 3 and "python3-yaml" in run.stderr, run.stderr
