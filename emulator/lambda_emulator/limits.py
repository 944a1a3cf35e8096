"""Lambda's API paths, limits and fixed values, in one place."""

RUNTIME_API = "/2018-06-01"
EXTENSION_API = "/2020-01-01"
TELEMETRY_API = "/2022-07-01"
INVOKE_API = "/2015-03-31"
STREAM_INVOKE_API = "/2021-11-15"

MAX_SYNC_REQUEST = 6291456          # 6 MiB: RequestResponse request payload
MAX_ASYNC_REQUEST = 1048576         # 1 MiB: Event request payload
MAX_RESPONSE = 6291556              # 6 MiB + 100: buffered response from the runtime
XRAY_CAUSE_MAX = 65536              # Lambda-Runtime-Function-XRay-Error-Cause
WRAPPER_GRACE_S = 30.0              # valgrind writes its leak report after SIGTERM
MAX_STREAM = 209715200              # 200 MiB: streamed response
MAX_UNZIPPED = 262144000            # function + layers unzipped ("250 MB")
BODY_TIMEOUT_S = 120.0              # an Invoke API request body must arrive within this
EVENT_QUEUE_MAX = 100               # Event invokes of one function waiting or running; more: 429
RUNTIME_API_MAX_CONNECTIONS = 64    # per environment (plus 2 per managed-instance worker)
TAIL_BYTES = 4096
LOG_KEEP_BYTES = 65536              # per-invocation log kept in memory (tail only)
ACCOUNT_ID = "123456789012"
EXTENSION_GRACE_S = 0.5
NEXT_GRACE_S = 1.0                  # an answered invocation ends at the runtime's next /next

DUMMY_ACCESS_KEY = "AKIDLAMBDACEMULATOR0"
DUMMY_SECRET_KEY = "lambda-c-emulator/dummy/secret-access-key"
DUMMY_SESSION_TOKEN = "lambda-c-emulator-dummy-session-token"

PASSTHROUGH_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "MSAN_OPTIONS")
LATEST = "$LATEST"
CLIENT_CONTEXT_MAX = 3583           # X-Amz-Client-Context: base64 text, synchronous invokes only
