"""Fault injection (`fault=KIND` of a function): the Runtime API misbehaves on purpose, once
per environment, so that tests can check how a runtime copes. The protocol handlers ask
these functions what to do; nothing else in the emulator knows about faults."""

FAULTS = ("response-500", "next-500", "drop-response", "drop-next")

ANSWER_500 = "500"     # answer 500 ServiceException
DROP = "drop"          # read the request, close the connection without an answer


def on_next(kind, env):
    """What GET /next does instead of its normal work, or None (fn.lock held; env.nexts
    already counts this request)."""
    if kind == "next-500" and env.nexts == 2:
        return ANSWER_500
    if kind == "drop-next" and env.answered >= 1 and not env.drop_next_done:
        env.drop_next_done = True
        return DROP
    return None


def on_answer(kind, first):
    """What POST /response or /error does instead of its normal work, or None (fn.lock held;
    first: the environment's first answer)."""
    if first and kind == "response-500":
        return ANSWER_500
    if first and kind == "drop-response":
        return DROP
    return None


def send_500(h):
    h.send_json(500, {"errorMessage": "injected", "errorType": "ServiceException"})
