"""`lambda-c watch`: from a function made by `lambda-c new --template http` in a folder outside
the checkout (the installed SDK archive), the template's route answers over HTTP; editing the
handler changes the next answer without restarting anything; a compile error is shown and the
previous build keeps answering; a template change adds its route."""
import http.client
import json
import urllib.parse

import pytest

from conftest import BUILD
from sdk_helpers import LambdaCServer, installed_sdk

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def sdk():
    yield from installed_sdk(BUILD)


def get(base, path, method="GET", body=None):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.request(method, path, body=body)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_watch_serves_rebuilds_and_survives_compile_errors(sdk):
    run = sdk.lambda_c("new", "web", "--template", "http")
    assert run.returncode == 0, run.stderr
    project = sdk.work / "web"
    source = project / "web.c"
    watch = LambdaCServer(sdk, "watch", "--port", "0", cwd=project, ready="watching")
    try:
        base = watch.url_of("WebFunction")
        assert get(base, "/hello?name=Ada") == (200, b'{"message":"Hello, Ada!"}')
        status, body = get(base, "/nope")  # no such route in the template: the API's own 404
        assert status == 404 and json.loads(body) == {"message": "Not Found"}
        # the Invoke API serves the same function
        event = (project / "event.json").read_bytes()
        status, body = get(watch.invoke_url, "/2015-03-31/functions/WebFunction/invocations", "POST", event)
        assert status == 200 and json.loads(json.loads(body)["body"]) == {"message": "Hello, Ada!"}

        mark = len(watch.lines)
        edit(source, '"Hello, %s!"', '"Howdy, %s!"')
        watch.wait_for("rebuilt in", mark)
        assert get(base, "/hello?name=Ada") == (200, b'{"message":"Howdy, Ada!"}')

        mark = len(watch.lines)
        edit(source, "return 200;", "return 200 /* a missing semicolon */")
        failed = watch.wait_for("the last good build keeps serving", mark)
        assert any("error:" in line for line in watch.lines[mark:failed]), watch.log()[-3000:]
        assert get(base, "/hello?name=Ada") == (200, b'{"message":"Howdy, Ada!"}')

        mark = len(watch.lines)
        edit(source, "return 200 /* a missing semicolon */", "return 200;")
        edit(source, '"Howdy, %s!"', '"Hi, %s!"')
        watch.wait_for("rebuilt in", mark)
        assert get(base, "/hello?name=Ada") == (200, b'{"message":"Hi, Ada!"}')

        # a new route in the template: served after the rebuild, on the same port
        mark = len(watch.lines)
        edit(project / "template.yaml", "      Events:\n", "      Events:\n        Greet:\n          Type: HttpApi\n"
             "          Properties:\n            Path: /greet/{who}\n            Method: ANY\n")
        watch.wait_for("rebuilt in", mark)
        status, body = get(base, "/greet/x")  # reaches the function, which knows only /hello
        assert status == 404 and json.loads(body) == {"error": "no such route"}
        assert any("/greet/{who} -> WebFunction" in line for line in watch.lines[mark:] if line)
    finally:
        watch.stop()
    assert watch.proc.returncode in (0, 130, -15), watch.log()[-2000:]
