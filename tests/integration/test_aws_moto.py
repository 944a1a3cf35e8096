"""liblambda-c-aws against a real SigV4-verifying endpoint: moto_server on loopback.

moto is started with INITIAL_NO_AUTH_ACTION_COUNT=5: exactly the five IAM setup calls made
here without a signature (create a user, its access key, an allow-all user policy, a role
the user may assume, the role's policy). Every later request is authenticated by moto: it
recomputes the SigV4 signature with the secret it issued and answers SignatureDoesNotMatch
when it differs. All requests below are made by the C client (build/tests/integration/
aws_moto_client) through liblambda-c-aws.

Skipped, with the reason, when moto_server is not on PATH; under CI=true that is a failure
(like a missing cfn-lint).
"""
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LAMBDA_C_BUILD_DIR", ROOT / "build")).resolve()
CLIENT = BUILD / "tests" / "integration" / "aws_moto_client"
NO_AUTH_SETUP_CALLS = 5
ACCOUNT = "123456789012"

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from aws_keepalive_proxy import Front  # noqa: E402
from conftest import Emulator, function_zip, require_tool  # noqa: E402

MOTO_MISSING = "moto_server is not on PATH (pip install 'moto[server]')"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def iam_call(port, **params):
    """An unsigned IAM query call (only valid during moto's no-auth setup phase)."""
    params["Version"] = "2010-05-08"
    body = urllib.parse.urlencode(params)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        # moto routes a request to "/" by the service in the credential scope.
        conn.request("POST", "/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=SETUP/20240101/us-east-1/iam/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        resp = conn.getresponse()
        text = resp.read().decode()
        assert resp.status == 200, f"IAM {params['Action']}: {resp.status} {text}"
        return text
    finally:
        conn.close()


def xml_value(text, tag):
    m = re.search(f"<{tag}>([^<]*)</{tag}>", text)
    assert m, f"no <{tag}> in {text[:300]}"
    return m.group(1)


class Moto:
    def __init__(self):
        self.port = free_port()
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(NO_AUTH_SETUP_CALLS))
        # moto's own log, for post-mortems: BUILD/moto.log (the last run's).
        self.log = open(BUILD / "moto.log", "wb") if BUILD.exists() else subprocess.DEVNULL
        self.proc = subprocess.Popen([shutil.which("moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/moto-api/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not start within 60 s")
                time.sleep(0.1)
        try:
            self._setup()
        except BaseException:
            self.stop()
            raise

    def _setup(self):
        """The no-auth phase: exactly NO_AUTH_SETUP_CALLS unsigned IAM calls."""
        allow_all = json.dumps({"Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        iam_call(self.port, Action="CreateUser", UserName="lambda-c")
        key = iam_call(self.port, Action="CreateAccessKey", UserName="lambda-c")
        self.key_id = xml_value(key, "AccessKeyId")
        self.secret = xml_value(key, "SecretAccessKey")
        iam_call(self.port, Action="PutUserPolicy", UserName="lambda-c", PolicyName="all",
                 PolicyDocument=allow_all)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/lambda-c"}}]})
        role = iam_call(self.port, Action="CreateRole", RoleName="lambda-c-role", AssumeRolePolicyDocument=trust)
        self.role_arn = xml_value(role, "Arn")
        iam_call(self.port, Action="PutRolePolicy", RoleName="lambda-c-role", PolicyName="all",
                 PolicyDocument=allow_all)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.log is not subprocess.DEVNULL:
            self.log.close()


@pytest.fixture(scope="module")
def moto():
    require_tool("moto_server", MOTO_MISSING)
    if not CLIENT.exists():
        pytest.fail(f"{CLIENT} is missing: build it first (make aws, or make all)")
    m = Moto()
    try:
        yield m
    finally:
        m.stop()


def run(moto, *args, secret=None, key_id=None, token=None, endpoint=None, extra_env=None, no_keys=False,
        timeout=120):
    """Runs the C client with moto's keys (or the given ones) in a clean AWS_* environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint or moto.url)
    if not no_keys:
        env.update(AWS_ACCESS_KEY_ID=key_id or moto.key_id,
                   AWS_SECRET_ACCESS_KEY=secret if secret is not None else moto.secret)
    if token:
        env["AWS_SESSION_TOKEN"] = token
    env.update(extra_env or {})
    proc = subprocess.run([str(CLIENT), *args], env=env, capture_output=True, text=True, timeout=timeout)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    assert lines, f"no result from {args}: rc={proc.returncode} stdout={proc.stdout!r} stderr={proc.stderr!r}"
    result = json.loads(lines[-1])
    assert (proc.returncode == 0) == result["ok"], result
    return result


def wrong(secret):
    return secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_s3_right_secret_works_wrong_secret_is_refused(moto):
    bucket = unique("lambda-c")
    assert run(moto, "s3-create-bucket", bucket)["ok"]
    key = "events/2024 05/event.json"  # a space: encoded once on the wire and in the signature
    event = json.dumps({"id": 42, "text": "hello"})
    put = run(moto, "s3-put", bucket, key, event)
    assert put["ok"] and put["etag"], put
    got = run(moto, "s3-get", bucket, key)
    assert got["ok"] and got["body"] == event

    for op in (("s3-put", bucket, key, "{}"), ("s3-get", bucket, key)):
        bad = run(moto, *op, secret=wrong(moto.secret))
        assert not bad["ok"]
        assert bad["status"] == 403
        assert bad["code"] == "SignatureDoesNotMatch", bad
    unknown = run(moto, "s3-get", bucket, key, key_id="AKIAUNKNOWNKEY000000")
    assert unknown["code"] == "InvalidAccessKeyId", unknown
    missing = run(moto, "s3-get", bucket, "no/such/key")
    assert missing["status"] == 404 and missing["code"] == "NoSuchKey", missing


def test_s3_streams_a_large_object_both_ways(moto):
    bucket = unique("lambda-c-big")
    assert run(moto, "s3-create-bucket", bucket)["ok"]
    size = 24 * 1024 * 1024 + 7
    r = run(moto, "s3-stream", bucket, "big.bin", str(size))
    assert r["ok"] and r["downloaded"] == size and r["same"], r


def test_dynamodb_right_secret_works_wrong_secret_is_refused(moto):
    table = unique("lambda-c")
    assert run(moto, "ddb-create-table", table)["ok"]
    assert run(moto, "ddb-put", table, "user#1", "2024-05-01", "first")["ok"]
    assert run(moto, "ddb-put", table, "user#1", "2024-05-02", "second")["ok"]
    got = run(moto, "ddb-get", table, "user#1", "2024-05-02")
    assert got["item"]["value"] == {"S": "second"}
    q = run(moto, "ddb-query", table, "user#1")
    assert q["output"]["Count"] == 2
    assert [i["value"]["S"] for i in q["output"]["Items"]] == ["first", "second"]
    absent = run(moto, "ddb-get", table, "user#2", "x")
    assert absent["rc"] == 4  # LAMBDA_E_NOT_FOUND

    for op in (("ddb-put", table, "user#1", "x", "y"), ("ddb-get", table, "user#1", "2024-05-01"),
               ("ddb-query", table, "user#1")):
        bad = run(moto, *op, secret=wrong(moto.secret))
        assert not bad["ok"]
        assert bad["code"] == "SignatureDoesNotMatch", bad


def test_session_token_is_signed_and_checked(moto):
    """Lambda's credentials are temporary: access key + secret + session token."""
    creds = run(moto, "sts-assume-role", moto.role_arn)
    assert creds["access_key_id"].startswith("ASIA"), creds
    kw = dict(key_id=creds["access_key_id"], secret=creds["secret_access_key"])
    bucket = unique("lambda-c-sts")
    assert run(moto, "s3-create-bucket", bucket, token=creds["session_token"], **kw)["ok"]
    assert run(moto, "s3-put", bucket, "k", "v", token=creds["session_token"], **kw)["ok"]
    assert not run(moto, "s3-get", bucket, "k", token="not-the-token", **kw)["ok"]
    assert not run(moto, "s3-get", bucket, "k", **kw)["ok"]  # no token at all


def test_container_credentials_endpoint(moto):
    """The container credentials provider against a loopback endpoint serving moto's keys."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.headers.get("Authorization"))
            body = json.dumps({"AccessKeyId": moto.key_id, "SecretAccessKey": moto.secret,
                               "Expiration": "2099-01-01T00:00:00Z"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        bucket = unique("lambda-c-ctr")
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{server.server_port}/creds",
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token"}
        r = run(moto, "s3-create-bucket", bucket, no_keys=True, extra_env=env)
        assert r["ok"], r
        assert seen == ["container-auth-token"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_sqs_send_message(moto):
    q = run(moto, "sqs-create-queue", unique("lambda-c"))
    assert q["ok"], q
    sent = run(moto, "sqs-send", q["queue_url"], "hello from C")
    assert sent["ok"] and re.fullmatch(r"[0-9a-f-]{36}", sent["message_id"]), sent
    bad = run(moto, "sqs-send", q["queue_url"], "x", secret=wrong(moto.secret))
    assert bad["code"] == "SignatureDoesNotMatch", bad


def test_warm_calls_reuse_one_connection(moto):
    """Against moto directly every answer carries "Connection: close" (Werkzeug), so each call
    connects anew; behind a keep-alive front the client keeps a single connection."""
    bucket = unique("lambda-c-warm")
    assert run(moto, "s3-create-bucket", bucket)["ok"]
    assert run(moto, "s3-put", bucket, "k", "v")["ok"]
    direct = run(moto, "warm-s3", bucket, "k", "10")
    assert direct["ok"] and direct["connects"] == 10
    front = Front(moto.port).start()
    try:
        warm = run(moto, "warm-s3", bucket, "k", "10", endpoint=f"http://127.0.0.1:{front.port}")
    finally:
        front.stop()
    assert warm["ok"], warm
    assert warm["each"] == [1] + [0] * 9, warm
    assert front.connections == 1 and front.requests == 10


def test_https_with_the_ca_bundle_from_ssl_cert_file(moto, tmp_path):
    """HTTPS through libcurl: a self-signed certificate is trusted only via SSL_CERT_FILE, and
    warm calls keep one TLS connection (one handshake)."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    bucket = unique("lambda-c-tls")
    assert run(moto, "s3-create-bucket", bucket)["ok"]
    assert run(moto, "s3-put", bucket, "k", "over tls")["ok"]
    front = Front(moto.port, tls_cert=str(cert), tls_key=str(key)).start()
    try:
        url = f"https://127.0.0.1:{front.port}"
        warm = run(moto, "warm-s3", bucket, "k", "5", endpoint=url, extra_env={"SSL_CERT_FILE": str(cert)})
        # Without it, the system bundle is used: the self-signed certificate is refused.
        untrusted = run(moto, "s3-get", bucket, "k", endpoint=url)
        missing = run(moto, "s3-get", bucket, "k", endpoint=url,
                      extra_env={"SSL_CERT_FILE": str(tmp_path / "missing.pem")})
    finally:
        front.stop()
    assert warm["ok"] and warm["each"] == [1, 0, 0, 0, 0], warm
    assert front.handshakes == 1
    assert untrusted["rc"] == 6, untrusted  # LAMBDA_E_CONNECT: curl cannot verify the peer
    assert "certificate" in untrusted["error"].lower(), untrusted
    assert missing["rc"] == 6, missing


# ------------------------------------------------------------------ the examples, in the emulator

def mapped_files(pid):
    """The files a process maps (/proc/PID/maps)."""
    with open(f"/proc/{pid}/maps") as f:
        return {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}


def example_emulator(moto, secret, **functions):
    """The emulator running the real layer and example zips, with moto's key id and the given
    secret as the function's credentials (what Lambda puts in the environment)."""
    specs = []
    for name, env in functions.items():
        try:
            zip_path = function_zip(name)
        except FileNotFoundError:
            pytest.fail(f"{name}.zip is missing from {BUILD}/functions: build the examples first")
        text = f"{name}={zip_path},timeout=30"
        for key, value in dict(env, AWS_ENDPOINT_URL=moto.url).items():
            text += f",env.{key}={value}"
        specs.append(text)
    if not (BUILD / "layer.zip").exists():
        pytest.fail(f"{BUILD}/layer.zip is missing: build the layer first")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=moto.key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION="us-east-1")
    return Emulator(specs, env=env)


def test_s3_roundtrip_example_in_the_emulator(moto):
    bucket = unique("lambda-c-example")
    assert run(moto, "s3-create-bucket", bucket)["ok"]
    event = {"order": 17, "items": ["a", "b"], "note": "caf\u00e9"}
    emu = example_emulator(moto, moto.secret, **{"s3-roundtrip": {"BUCKET": bucket}})
    try:
        answers = [emu.invoke("s3-roundtrip", event) for _ in range(3)]  # cold, then warm
        pid = emu.debug("s3-roundtrip")["environments"][0]["pid"]
        maps = mapped_files(pid)
    finally:
        logs = emu.logs()
        emu.stop()
    for a in answers:
        assert a.status == 200 and not a.function_error, (a, logs)
        out = a.json()
        assert out["same"] is True and out["bytes"] == len(json.dumps(event).encode()), out
        assert out["bucket"] == bucket and out["key"].startswith("events/")
    # The calls went through the layer's own libcurl and OpenSSL (lib/ beside liblambda-c-aws),
    # not the system's: on Lambda there is none.
    layer_lib = next(os.path.dirname(p) for p in maps if p.endswith("/liblambda-c-aws.so.1"))
    for name in ("libcurl.so.4", "libssl.so.3", "libcrypto.so.3"):
        assert os.path.join(layer_lib, name) in maps, (name, sorted(maps))
    foreign = [p for p in maps if re.search(r"/lib(curl|ssl|crypto)\.so", p) and os.path.dirname(p) != layer_lib]
    assert not foreign, f"system copies mapped: {foreign}"
    # What the function wrote is really in moto.
    stored = run(moto, "s3-get", bucket, answers[0].json()["key"])
    assert json.loads(stored["body"]) == event

    emu = example_emulator(moto, wrong(moto.secret), **{"s3-roundtrip": {"BUCKET": bucket}})
    try:
        bad = emu.invoke("s3-roundtrip", event)
    finally:
        emu.stop()
    assert bad.status == 200 and bad.function_error == "Unhandled", bad
    err = bad.json()
    assert err["errorType"] == "SignatureDoesNotMatch", err
    assert "PutObject" in err["errorMessage"]


def test_s3_roundtrip_example_over_https_with_the_layers_libcurl_and_openssl(moto, tmp_path):
    """HTTPS from a function: the layer's lean libcurl (no CA path built in) and OpenSSL verify
    the endpoint against SSL_CERT_FILE, which liblambda-c-aws hands to libcurl (CURLOPT_CAINFO)."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    bucket = unique("lambda-c-tls-example")
    assert run(moto, "s3-create-bucket", bucket)["ok"]
    front = Front(moto.port, tls_cert=str(cert), tls_key=str(key)).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=moto.key_id, AWS_SECRET_ACCESS_KEY=moto.secret, AWS_REGION="us-east-1")
    code = (f"{function_zip('s3-roundtrip')},handler=s3-roundtrip.handler,timeout=30,env.BUCKET={bucket},"
            f"env.AWS_ENDPOINT_URL=https://127.0.0.1:{front.port}")
    emu = Emulator([f"s3-roundtrip={code},env.SSL_CERT_FILE={cert}", f"untrusted={code}"], env=env)
    try:
        good = emu.invoke("s3-roundtrip", {"tls": True})
        maps = mapped_files(emu.debug("s3-roundtrip")["environments"][0]["pid"])
        bad = emu.invoke("untrusted", {"tls": True})  # the system's bundle does not know the certificate
    finally:
        logs = emu.logs()
        emu.stop()
        front.stop()
    assert good.status == 200 and not good.function_error and good.json()["same"] is True, (good, logs)
    assert front.handshakes >= 1
    layer_lib = next(os.path.dirname(p) for p in maps if p.endswith("/liblambda-c-aws.so.1"))
    assert {os.path.join(layer_lib, n) for n in ("libcurl.so.4", "libssl.so.3", "libcrypto.so.3")} <= maps
    assert bad.function_error == "Unhandled" and "certificate" in bad.body.decode().lower(), bad


def test_dynamodb_store_example_in_the_emulator(moto):
    table = unique("lambda-c-example")
    assert run(moto, "ddb-create-table-hash", table, "id")["ok"]
    emu = example_emulator(moto, moto.secret, **{"dynamodb-store": {"TABLE": table}})
    try:
        first = emu.invoke("dynamodb-store", {"id": "order-17", "total": 42.5})
        second = emu.invoke("dynamodb-store", {"no-id": True})
    finally:
        logs = emu.logs()
        emu.stop()
    assert first.status == 200 and not first.function_error, (first, logs)
    out = first.json()
    assert out["id"] == "order-17" and out["table"] == table
    assert json.loads(out["item"]["event"]["S"]) == {"id": "order-17", "total": 42.5}
    assert int(out["item"]["received_ms"]["N"]) > 1_600_000_000_000
    assert not second.function_error and second.json()["id"]  # the request id names it
    got = run(moto, "ddb-get-hash", table, "id", "order-17")
    assert got["item"]["id"] == {"S": "order-17"}

    emu = example_emulator(moto, wrong(moto.secret), **{"dynamodb-store": {"TABLE": table}})
    try:
        bad = emu.invoke("dynamodb-store", {"id": "x"})
    finally:
        emu.stop()
    assert bad.function_error == "Unhandled", bad
    assert bad.json()["errorType"] == "SignatureDoesNotMatch", bad.json()


# ------------------------------------------------------------------ signer cross-check

def moto_python():
    """The interpreter moto_server runs with (it has botocore), or None."""
    path = shutil.which("moto_server")
    try:
        first = pathlib.Path(path).read_text(errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return None
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    if shutil.which("pyenv"):  # a pyenv shim
        real = subprocess.run(["pyenv", "which", "moto_server"], capture_output=True, text=True, timeout=30)
        if real.returncode == 0:
            first = pathlib.Path(real.stdout.strip()).read_text(errors="replace").splitlines()[0]
            if first.startswith("#!") and "python" in first:
                return first[2:].strip().split()[0]
    return None


BOTOCORE_SIGN = r"""
import json, sys
from urllib.parse import quote
from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
a = json.loads(sys.argv[1])
creds = Credentials(a["key_id"], a["secret"])
auth = (S3SigV4Auth if a["service"] == "s3" else SigV4Auth)(creds, a["service"], "us-east-1")
url = "http://" + a["host"] + a["path"] + ("?" + a["query"] if a["query"] else "")
req = AWSRequest(method=a["method"], url=url, data=a["body"].encode(),
                 headers={"Content-Type": "application/octet-stream", "Host": a["host"],
                          "X-Amz-Date": a["amz_date"]})
if a["service"] == "s3":
    req.headers["X-Amz-Content-SHA256"] = a["payload_hash"]
req.context["timestamp"] = a["amz_date"]
cr = auth.canonical_request(req)
pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
               for k, _, v in (p.partition("=") for p in a["raw_query"].split("&") if p))
print(json.dumps({"canonical_request": cr, "signature": auth.signature(auth.string_to_sign(req, cr), req),
                  "path": quote(a["raw_path"], safe="/~"), "query": "&".join(k + "=" + v for k, v in pairs)}))
"""


@pytest.mark.parametrize("service,path,query", [
    ("s3", "/bucket/dir/a b+c=d;e:f@g,h.json", ""),
    ("s3", "/bucket/\u00e9t\u00e9/\u1234 x/~tilde!'()*&$.txt", "prefix=a b&list-type=2"),
    ("s3", "/bucket/./dots/../kept//twice", "uploads"),
    ("dynamodb", "/", ""),
    ("execute-api", "/stage/a b/./c/../d", "x=1&y=a/b&x=0"),
])
def test_canonical_request_matches_botocore(moto, service, path, query):
    """Keys with reserved or non-ASCII characters cannot be checked against moto (its
    verifier rebuilds the path from Werkzeug's re-quoted URL and refuses botocore's own
    signatures for them too), so compare with botocore's signer directly."""
    py = moto_python()
    if not py:
        pytest.skip("cannot find the Python that runs moto_server (for botocore)")
    epoch = 1716200000
    host = "127.0.0.1:4566"
    body = "payload"
    ours = run(moto, "sign", service, "PUT", host, path, query, body, str(epoch))
    assert ours["ok"], ours
    lines = ours["canonical_request"].split("\n")
    payload_hash = lines[-1]
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))
    wire_query = ours["query"]
    arg = json.dumps({"key_id": moto.key_id, "secret": moto.secret, "service": service, "method": "PUT",
                      "host": host, "path": ours["path"], "query": wire_query, "body": body,
                      "amz_date": amz_date, "payload_hash": payload_hash, "raw_path": path,
                      "raw_query": query})
    proc = subprocess.run([py, "-c", BOTOCORE_SIGN, arg], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and "No module named 'botocore'" in proc.stderr:
        pytest.skip("botocore is not installed next to moto_server")
    assert proc.returncode == 0, proc.stderr
    theirs = json.loads(proc.stdout)
    assert ours["path"] == theirs["path"]  # encoded once on the wire, as botocore does
    assert ours["query"] == theirs["query"]
    assert ours["canonical_request"] == theirs["canonical_request"]
    assert ours["signature"] == theirs["signature"]
