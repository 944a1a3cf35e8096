"""lambda-c event TYPE: sample events shaped as each AWS service sends them, with what users
vary as options. The HTTP builders are also what `lambda-c serve` turns real requests into.

Shapes follow the samples in AWS's documentation (tests/events/ keeps the ones the tests
compare against); identifiers are made up but well-formed, and stable unless asked to vary.
"""
import base64
import hashlib
import json
import time
import urllib.parse
import uuid

from .sdk import Failure

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

# Content types the HTTP services pass as text; any other body is base64-encoded
# (HTTP API, Function URL; REST API with a matching BinaryMediaTypes entry).
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "application/yaml",
              "application/x-www-form-urlencoded", "application/graphql")


# ---------------------------------------------------------------- HTTP requests

class HttpRequest:
    """What an HTTP client sent: method, raw path (percent-encoded), raw query string, header
    pairs in order (names as sent), body bytes, client address."""

    def __init__(self, method="GET", path="/", raw_query="", headers=(), body=b"", source_ip="203.0.113.7",
                 epoch_ms=None):
        self.method = method.upper()
        self.path = path or "/"
        self.raw_query = raw_query
        self.headers = list(headers)
        self.body = body
        self.source_ip = source_ip
        self.epoch_ms = int(time.time() * 1000) if epoch_ms is None else epoch_ms
        self.request_id = str(uuid.uuid4())

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[-1] if values else None

    def query_pairs(self, decode=True):
        """(name, value) pairs of the query string, in order; decoded unless asked not to."""
        pairs = []
        for part in self.raw_query.split("&"):
            if not part:
                continue
            name, _sep, value = part.partition("=")
            if decode:
                name = urllib.parse.unquote_plus(name)
                value = urllib.parse.unquote_plus(value)
            pairs.append((name, value))
        return pairs

    def cookies(self):
        """Cookie header values split into `name=value` items (HTTP API and Function URL)."""
        out = []
        for k, v in self.headers:
            if k.lower() == "cookie":
                out += [c.strip() for c in v.split(";") if c.strip()]
        return out

    def body_is_text(self):
        ctype = (self.header("content-type") or "").lower()
        return ctype.startswith(TEXT_TYPES) or ctype.endswith(("+json", "+xml"))

    def encoded_body(self, binary):
        """(body, isBase64Encoded) as the event carries it."""
        if not self.body:
            return None, False
        if binary:
            return base64.b64encode(self.body).decode(), True
        try:
            return self.body.decode("utf-8"), False
        except UnicodeDecodeError:  # not text whatever the content type says: keep the bytes intact
            return base64.b64encode(self.body).decode(), True


def _grouped(pairs, lower):
    """{name: [values]} keeping first-seen order."""
    out = {}
    for name, value in pairs:
        out.setdefault(name.lower() if lower else name, []).append(value)
    return out


def _http_time(epoch_ms):
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def _host(req, default):
    return req.header("host") or default


def _forwarded(req, host, proto="https", port="443", title=False):
    """The request's headers plus those the service adds in front of the function."""
    have = {k.lower() for k, _v in req.headers}
    added = [("host", host), ("x-amzn-trace-id", "Root=1-%08x-%s" % (req.epoch_ms // 1000, req.request_id[-24:]
                                                                  .replace("-", "0"))),
             ("x-forwarded-for", req.source_ip), ("x-forwarded-port", port), ("x-forwarded-proto", proto)]
    return list(req.headers) + [(k.title() if title else k, v) for k, v in added if k not in have]


def http_api_v2(req, route_key="$default", path_params=None, stage="$default", api_id="abcdxmpl12",
                region=DEFAULT_REGION, account=DEFAULT_ACCOUNT, function_url=False):
    """API Gateway HTTP API payload format 2.0 (also the Function URL's, with function_url)."""
    domain = (f"{api_id}.lambda-url.{region}.on.aws" if function_url else
              f"{api_id}.execute-api.{region}.amazonaws.com")
    headers = {name: ",".join(values) for name, values in
               _grouped([(k, v) for k, v in _forwarded(req, domain) if k.lower() != "cookie"], True).items()}
    body, b64 = req.encoded_body(not req.body_is_text())
    event = {"version": "2.0", "routeKey": route_key, "rawPath": req.path, "rawQueryString": req.raw_query}
    cookies = req.cookies()
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = {name: ",".join(values) for name, values in _grouped(req.query_pairs(), False).items()}
    if query:
        event["queryStringParameters"] = query
    context = {
        "accountId": account,
        "apiId": api_id,
        # A Function URL's is always its lambda-url domain (handlers tell the trigger by it); an
        # API's is the host the client used (a custom domain, or locally 127.0.0.1).
        "domainName": domain if function_url else _host(req, domain).split(":")[0],
        "domainPrefix": api_id,
        "http": {"method": req.method, "path": urllib.parse.unquote(req.path), "protocol": "HTTP/1.1",
                 "sourceIp": req.source_ip, "userAgent": req.header("user-agent") or ""},
        "requestId": req.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": _http_time(req.epoch_ms),
        "timeEpoch": req.epoch_ms,
    }
    if function_url:
        context["authentication"] = None  # AuthType NONE; AWS_IAM adds "authorizer": {"iam": ...}
    event["requestContext"] = context
    if body is not None:
        event["body"] = body
    if path_params:
        event["pathParameters"] = dict(path_params)
    event["isBase64Encoded"] = b64
    if function_url:
        event["pathParameters"] = None
        event["stageVariables"] = None
    return event


def function_url(req, url_id="a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6", region=DEFAULT_REGION, account=DEFAULT_ACCOUNT):
    """A Function URL request (payload 2.0, route $default, no path parameters)."""
    return http_api_v2(req, api_id=url_id, region=region, account=account, function_url=True)


def rest_api_v1(req, resource=None, path_params=None, stage="prod", api_id="r3pmxmplak", region=DEFAULT_REGION,
                account=DEFAULT_ACCOUNT, binary=False):
    """API Gateway REST API (payload 1.0): single and multi-value headers and query strings."""
    domain = f"{api_id}.execute-api.{region}.amazonaws.com"
    mv_headers = _grouped(_forwarded(req, domain, title=True), False)
    mv_query = _grouped(req.query_pairs(), False)
    body, b64 = req.encoded_body(binary)
    return {
        "resource": resource or req.path,
        "path": urllib.parse.unquote(req.path),
        "httpMethod": req.method,
        "headers": {k: v[-1] for k, v in mv_headers.items()} or None,
        "multiValueHeaders": mv_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in mv_query.items()} or None,
        "multiValueQueryStringParameters": mv_query or None,
        "pathParameters": dict(path_params) if path_params else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "2gxmpl",
            "resourcePath": resource or req.path,
            "httpMethod": req.method,
            "extendedRequestId": base64.b64encode(req.request_id.encode()[:12]).decode(),
            "requestTime": _http_time(req.epoch_ms),
            "path": f"/{stage}{urllib.parse.unquote(req.path)}",
            "accountId": account,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": api_id,
            "requestTimeEpoch": req.epoch_ms,
            "requestId": req.request_id,
            "identity": {"cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
                         "caller": None, "sourceIp": req.source_ip, "principalOrgId": None, "accessKey": None,
                         "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None,
                         "userArn": None, "userAgent": req.header("user-agent") or "", "user": None},
            "domainName": domain,
            "apiId": api_id,
        },
        "body": body,
        "isBase64Encoded": b64,
    }


def alb(req, multi_value=False, region=DEFAULT_REGION, account=DEFAULT_ACCOUNT):
    """An Application Load Balancer target group request. ALB passes query strings as sent
    (still percent-encoded) and header names in lowercase."""
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/lambda-target/49e9d65c45c6791a"
    body, b64 = req.encoded_body(not req.body_is_text())
    event = {"requestContext": {"elb": {"targetGroupArn": arn}}, "httpMethod": req.method,
             "path": req.path}
    headers = _grouped(_forwarded(req, f"lambda-alb-123578498.{region}.elb.amazonaws.com", "http", "80"), True)
    query = _grouped(req.query_pairs(decode=False), False)
    if multi_value:
        event["multiValueQueryStringParameters"] = query
        event["multiValueHeaders"] = headers
    else:
        event["queryStringParameters"] = {k: v[-1] for k, v in query.items()}
        event["headers"] = {k: v[-1] for k, v in headers.items()}
    event["body"] = body or ""
    event["isBase64Encoded"] = b64
    return event


# ---------------------------------------------------------------- records of the other services

def _uuid(seed, index):
    """A stable, well-formed UUID for sample identifiers."""
    return str(uuid.UUID(hashlib.md5(f"{seed}/{index}".encode()).hexdigest()))


def _iso(epoch, millis=True):
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))
    return text + (".%03dZ" % int(epoch % 1 * 1000) if millis else "Z")


def _cycle(values, count, default):
    values = values or [default]
    return [values[i % len(values)] for i in range(count)]


def sqs(queue="my-queue", bodies=None, count=None, attributes=None, region=DEFAULT_REGION,
        account=DEFAULT_ACCOUNT, now=1710046390.0):
    count = count or max(1, len(bodies or []))
    fifo = queue.endswith(".fifo")
    records = []
    for i, body in enumerate(_cycle(bodies, count, '{"orderId":"1001","amount":25}')):
        sent = str(int(now * 1000) + i)
        attrs = {"ApproximateReceiveCount": "1", "SentTimestamp": sent, "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                 "ApproximateFirstReceiveTimestamp": str(int(sent) + 5)}
        if fifo:
            attrs.update({"SequenceNumber": str(18849496460467696128 + i), "MessageGroupId": "1",
                          "MessageDeduplicationId": hashlib.sha256(body.encode()).hexdigest()})
        records.append({
            "messageId": _uuid(queue, i),
            "receiptHandle": "AQEB" + base64.b64encode(hashlib.sha256(f"{queue}{i}".encode()).digest()).decode(),
            "body": body,
            "attributes": attrs,
            "messageAttributes": {name: {"stringValue": value, "stringListValues": [], "binaryListValues": [],
                                         "dataType": "String"} for name, value in (attributes or {}).items()},
            "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{region}:{account}:{queue}",
            "awsRegion": region,
        })
    return {"Records": records}


def sns(topic="my-topic", messages=None, subject="example subject", count=None, attributes=None,
        region=DEFAULT_REGION, account=DEFAULT_ACCOUNT, now=1710046390.0):
    count = count or max(1, len(messages or []))
    topic_arn = f"arn:aws:sns:{region}:{account}:{topic}"
    endpoint = f"https://sns.{region}.amazonaws.com/"
    records = []
    for i, message in enumerate(_cycle(messages, count, "Hello from SNS!")):
        message_id = _uuid(topic, i)
        records.append({
            "EventVersion": "1.0",
            "EventSubscriptionArn": f"{topic_arn}:{_uuid(topic, 'subscription')}",
            "EventSource": "aws:sns",
            "Sns": {
                "SignatureVersion": "1",
                "Timestamp": _iso(now + i),
                "Signature": base64.b64encode(hashlib.sha512(message_id.encode()).digest()).decode(),
                "SigningCertUrl": endpoint + "SimpleNotificationService-0000000000000000000000.pem",
                "MessageId": message_id,
                "Message": message,
                "MessageAttributes": {name: {"Type": "String", "Value": value}
                                      for name, value in (attributes or {}).items()},
                "Type": "Notification",
                "UnsubscribeUrl": f"{endpoint}?Action=Unsubscribe&SubscriptionArn={topic_arn}:"
                                  f"{_uuid(topic, 'subscription')}",
                "TopicArn": topic_arn,
                "Subject": subject,
            },
        })
    return {"Records": records}


def s3(bucket="amzn-s3-demo-bucket", keys=None, event_name="ObjectCreated:Put", size=1024, count=None,
       region=DEFAULT_REGION, now=1710074467.512):
    count = count or max(1, len(keys or []))
    records = []
    for i, key in enumerate(_cycle(keys, count, "uploads/photo.jpg")):
        obj = {"key": urllib.parse.quote_plus(key, safe="/"), "size": size,
               "eTag": hashlib.md5(f"{key}{size}".encode()).hexdigest(),
               "versionId": "096fKKXTRTtl3on89fVO.nfljtsv6qko",
               "sequencer": "%018X" % (0x0C0F6F405D6ED209E1 + i)}
        if event_name.startswith("ObjectRemoved"):
            obj = {k: v for k, v in obj.items() if k in ("key", "versionId", "sequencer")}
        records.append({
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": region,
            "eventTime": _iso(now + i),
            "eventName": event_name,
            "userIdentity": {"principalId": "AWS:AIDAINPONIXQXHT3IKHL2"},
            "requestParameters": {"sourceIPAddress": "205.255.255.255"},
            "responseElements": {"x-amz-request-id": "D82B88E5F771F645",
                                 "x-amz-id-2": "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo="},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "828aa6fc-f7b5-4305-8584-487c791949c1",
                   "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3I5XTEXAMAI3E"},
                              "arn": f"arn:aws:s3:::{bucket}"},
                   "object": obj},
        })
    return {"Records": records}


def eventbridge(source="com.example.orders", detail_type="Order Placed", detail=None, resources=None,
                region=DEFAULT_REGION, account=DEFAULT_ACCOUNT, now=1710046390.0):
    return {"version": "0", "id": _uuid(source + detail_type, 0), "detail-type": detail_type, "source": source,
            "account": account, "time": _iso(now, millis=False), "region": region,
            "resources": list(resources or []),
            "detail": {"orderId": "1001", "amount": 25} if detail is None else detail}


DYNAMODB_TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")


def dynamodb_value(value):
    """A plain JSON value as a DynamoDB attribute value; {"S": ...}-style values pass as they are."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in DYNAMODB_TYPES:
        return value
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (int, float)):
        return {"N": json.dumps(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [dynamodb_value(v) for v in value]}
    if isinstance(value, dict):
        return {"M": dynamodb_item(value)}
    raise Failure(f"cannot express {value!r} as a DynamoDB value")


def dynamodb_item(item):
    return {str(name): dynamodb_value(value) for name, value in item.items()}


def dynamodb(table="my-table", keys=None, new_image=None, old_image=None, event_name="INSERT", count=1,
             view_type="NEW_AND_OLD_IMAGES", region=DEFAULT_REGION, account=DEFAULT_ACCOUNT, now=1710046390):
    if event_name not in ("INSERT", "MODIFY", "REMOVE"):
        raise Failure(f"--event-name {event_name!r}: INSERT, MODIFY or REMOVE")
    keys = keys if keys is not None else {"Id": 101}
    if new_image is None and event_name != "REMOVE":
        new_image = dict(keys, Message="New item!")
    if old_image is None and event_name != "INSERT":
        old_image = dict(keys, Message="Old item")
    records = []
    for i in range(count):
        record = {"ApproximateCreationDateTime": now + i, "Keys": dynamodb_item(keys)}
        if view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and event_name != "REMOVE":
            record["NewImage"] = dynamodb_item(new_image)
        if view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and event_name != "INSERT":
            record["OldImage"] = dynamodb_item(old_image)
        record["SequenceNumber"] = str(4421584500000000017450439091 + i * 100)
        record["SizeBytes"] = len(json.dumps(record))
        record["StreamViewType"] = view_type
        records.append({
            "eventID": hashlib.md5(f"{table}{i}".encode()).hexdigest(),
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "dynamodb": record,
            "eventSourceARN": f"arn:aws:dynamodb:{region}:{account}:table/{table}/stream/2024-03-10T00:00:00.000",
        })
    return {"Records": records}


def kinesis(stream="my-stream", data=None, partition_key="1", count=None, region=DEFAULT_REGION,
            account=DEFAULT_ACCOUNT, now=1710046390.987):
    count = count or max(1, len(data or []))
    records = []
    for i, item in enumerate(_cycle(data, count, b"Hello, this is a test.")):
        sequence = str(49590338271490256608559692538361571095921575989136588898 + i)
        records.append({
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": partition_key, "sequenceNumber": sequence,
                        "data": base64.b64encode(item).decode(), "approximateArrivalTimestamp": now + i},
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"shardId-000000000006:{sequence}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{account}:role/lambda-role",
            "awsRegion": region,
            "eventSourceARN": f"arn:aws:kinesis:{region}:{account}:stream/{stream}",
        })
    return {"Records": records}


# ---------------------------------------------------------------- the command

HTTP_TYPES = {"apigw-v2": "API Gateway HTTP API (payload 2.0)", "apigw-v1": "API Gateway REST API (payload 1.0)",
              "alb": "Application Load Balancer", "function-url": "Lambda Function URL"}
OTHER_TYPES = {"sqs": "SQS messages", "sns": "SNS notifications", "s3": "S3 event notifications",
               "eventbridge": "an EventBridge event", "dynamodb": "DynamoDB Streams records",
               "kinesis": "Kinesis Data Streams records"}
TYPES = {**HTTP_TYPES, **OTHER_TYPES}
ALIASES = {"http-api": "apigw-v2", "rest-api": "apigw-v1", "api": "apigw-v1", "url": "function-url",
           "dynamodb-streams": "dynamodb", "events": "eventbridge"}


def add_arguments(p):
    """The options of `lambda-c event` (main.py registers the subcommand)."""
    p.add_argument("type", metavar="TYPE", help="one of: " + ", ".join(TYPES) + " (also: " +
                   ", ".join(f"{a}={t}" for a, t in ALIASES.items()) + ")")
    g = p.add_argument_group("every type")
    g.add_argument("--region", default=DEFAULT_REGION)
    g.add_argument("--account", default=DEFAULT_ACCOUNT, help="the AWS account id (12 digits)")
    g.add_argument("--output", "-o", metavar="FILE", help="write the event to FILE instead of stdout")
    g = p.add_argument_group("HTTP (apigw-v2, apigw-v1, alb, function-url)")
    g.add_argument("--method", "-X", default=None, help="default GET (POST with --body)")
    g.add_argument("--path", default="/", help="the request path, with or without a query string")
    g.add_argument("--route", metavar="ROUTE", help="the API's route, e.g. /items/{id} or /files/{proxy+}: "
                   "sets resource/routeKey and the path parameters")
    g.add_argument("--body", "-d", metavar="TEXT|@FILE", help="the request body (@FILE reads a file)")
    g.add_argument("--base64", action="store_true", help="the body is binary: sent base64-encoded")
    g.add_argument("--header", "-H", action="append", default=[], metavar="NAME:VALUE", help="repeatable")
    g.add_argument("--query", "-q", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
    g.add_argument("--cookie", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
    g.add_argument("--stage", help="the API stage (apigw-v1 default prod, apigw-v2 default $default)")
    g.add_argument("--multi-value", action="store_true", help="alb: multi-value headers and query strings")
    g = p.add_argument_group("records (sqs, sns, s3, dynamodb, kinesis)")
    g.add_argument("--count", "-n", type=int, help="how many records (default: one per --message/--key/--data)")
    g.add_argument("--message", "-m", action="append", default=[], metavar="TEXT|@FILE",
                   help="sqs message body / sns message (repeatable; --body adds one too)")
    g.add_argument("--attribute", action="append", default=[], metavar="NAME=VALUE",
                   help="sqs/sns string message attribute (repeatable)")
    g.add_argument("--queue", default="my-queue", help="sqs queue name (.fifo adds the FIFO attributes)")
    g.add_argument("--topic", default="my-topic", help="sns topic name")
    g.add_argument("--subject", default="example subject", help="sns subject")
    g.add_argument("--bucket", default="amzn-s3-demo-bucket", help="s3 bucket")
    g.add_argument("--key", action="append", default=[], help="s3 object key, decoded (repeatable)")
    g.add_argument("--size", type=int, default=1024, help="s3 object size")
    g.add_argument("--event-name", help="s3 (default ObjectCreated:Put) or dynamodb (INSERT, MODIFY, REMOVE)")
    g.add_argument("--table", default="my-table", help="dynamodb table")
    g.add_argument("--keys", metavar="JSON", help='dynamodb key attributes as plain JSON (default {"Id":101})')
    g.add_argument("--new-image", metavar="JSON", help="dynamodb NewImage as plain JSON")
    g.add_argument("--old-image", metavar="JSON", help="dynamodb OldImage as plain JSON")
    g.add_argument("--view-type", default="NEW_AND_OLD_IMAGES",
                   choices=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"))
    g.add_argument("--stream", default="my-stream", help="kinesis stream")
    g.add_argument("--data", action="append", default=[], metavar="TEXT|@FILE",
                   help="kinesis record data (repeatable; sent base64-encoded)")
    g.add_argument("--partition-key", default="1", help="kinesis partition key")
    g = p.add_argument_group("eventbridge")
    g.add_argument("--source", default="com.example.orders")
    g.add_argument("--detail-type", default="Order Placed")
    g.add_argument("--detail", metavar="JSON|@FILE", help='the detail object (default {"orderId":"1001",...})')
    g.add_argument("--resource", action="append", default=[], metavar="ARN", help="repeatable")


def _read(text, binary=False):
    """TEXT or @FILE."""
    if text.startswith("@"):
        try:
            with open(text[1:], "rb") as f:
                data = f.read()
        except OSError as e:
            raise Failure(f"cannot read {text[1:]}: {e.strerror}")
    else:
        data = text.encode()
    if binary:
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure(f"{text[1:]} is not UTF-8 text (binary bodies: --base64)")


def _pairs(items, sep, option):
    out = []
    for item in items:
        name, found, value = item.partition(sep)
        if not found or not name.strip():
            raise Failure(f"{option} needs NAME{sep}VALUE, got {item!r}")
        out.append((name.strip(), value.strip() if sep == ":" else value))
    return out


def _json_option(text, option):
    if text is None:
        return None
    try:
        return json.loads(_read(text))
    except ValueError as e:
        raise Failure(f"{option}: not JSON ({e})")


def match_route(route, path):
    """{name: value} when `path` (decoded) matches `route` (/a/{b}/{c+}), else None."""
    r_parts = route.strip("/").split("/") if route.strip("/") else []
    p_parts = path.strip("/").split("/") if path.strip("/") else []
    params = {}
    for i, part in enumerate(r_parts):
        if part.startswith("{") and part.endswith("+}"):
            rest = p_parts[i:]
            if not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            return params
        if i >= len(p_parts):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = p_parts[i]
        elif part != p_parts[i]:
            return None
    return params if len(p_parts) == len(r_parts) else None


def http_event(kind, args):
    path, _sep, raw_query = args.path.partition("?")
    if not path.startswith("/"):
        raise Failure(f"--path must start with /: {args.path!r}")
    query = [urllib.parse.quote_plus(n) + "=" + urllib.parse.quote_plus(v) for n, v in _pairs(args.query, "=", "--query")]
    raw_query = "&".join(([raw_query] if raw_query else []) + query)
    headers = _pairs(args.header, ":", "--header")
    body = _read(args.body, binary=True) if args.body is not None else b""
    if args.cookie:
        headers.append(("cookie", "; ".join(f"{n}={v}" for n, v in _pairs(args.cookie, "=", "--cookie"))))
    if body and not any(k.lower() == "content-type" for k, _v in headers):
        headers.append(("content-type", "application/octet-stream" if args.base64 else "application/json"))
    if not any(k.lower() == "user-agent" for k, _v in headers):
        headers.append(("User-Agent", "curl/8.5.0"))
    method = args.method or ("POST" if args.body is not None else "GET")
    req = HttpRequest(method, urllib.parse.quote(path, safe="/%+@:,;=!$&'()*~"), raw_query, headers, body,
                      epoch_ms=1710046390000)
    params = None
    if args.route:
        params = match_route(args.route, urllib.parse.unquote(path))
        if params is None:
            raise Failure(f"--path {path} does not match --route {args.route}")
    if kind == "apigw-v2":
        route_key = f"{method} {args.route}" if args.route else "$default"
        event = http_api_v2(req, route_key, params, args.stage or "$default", region=args.region,
                            account=args.account)
        if args.base64 and body:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        return event
    if kind == "apigw-v1":
        return rest_api_v1(req, args.route, params, args.stage or "prod", region=args.region, account=args.account,
                           binary=args.base64)
    if kind == "function-url":
        event = function_url(req, region=args.region, account=args.account)
    else:
        event = alb(req, args.multi_value, region=args.region, account=args.account)
    if args.base64 and body:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


def build_event(kind, args):
    common = {"region": args.region}
    if kind in HTTP_TYPES:
        return http_event(kind, args)
    if args.count is not None and not 1 <= args.count <= 10000:
        raise Failure("--count must be between 1 and 10000")
    messages = [_read(m) for m in args.message] + ([_read(args.body)] if args.body is not None else [])
    if kind == "sqs":
        return sqs(args.queue, messages, args.count,
                   dict(_pairs(args.attribute, "=", "--attribute")), account=args.account, **common)
    if kind == "sns":
        return sns(args.topic, messages, args.subject, args.count,
                   dict(_pairs(args.attribute, "=", "--attribute")), account=args.account, **common)
    if kind == "s3":
        return s3(args.bucket, args.key, args.event_name or "ObjectCreated:Put", args.size, args.count, **common)
    if kind == "eventbridge":
        return eventbridge(args.source, args.detail_type, _json_option(args.detail, "--detail"), args.resource,
                           account=args.account, **common)
    if kind == "dynamodb":
        return dynamodb(args.table, _json_option(args.keys, "--keys"), _json_option(args.new_image, "--new-image"),
                        _json_option(args.old_image, "--old-image"), args.event_name or "INSERT", args.count or 1,
                        args.view_type, account=args.account, **common)
    return kinesis(args.stream, [_read(d, binary=True) for d in args.data], args.partition_key, args.count,
                   account=args.account, **common)


def cmd_event(sdk, args):
    kind = ALIASES.get(args.type, args.type)
    if kind not in TYPES:
        raise Failure(f"unknown event type {args.type!r}; one of: {', '.join(TYPES)}")
    if not (len(args.account) == 12 and args.account.isdigit()):
        raise Failure(f"--account must be 12 digits, got {args.account!r}")
    text = json.dumps(build_event(kind, args), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            with open(args.output, "w") as f:
                f.write(text)
        except OSError as e:
            raise Failure(f"cannot write {args.output}: {e.strerror}")
    else:
        print(text, end="")
    return 0
