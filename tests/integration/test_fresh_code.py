"""A function rebuilt under a running emulator: the very next invoke runs the new build (in a
new environment), never the warm environment's old code."""
from build_helpers import compile_handler

HANDLER = r"""
#include <json-c/json.h>
#include <lambda-c.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "build", json_object_new_string("%s"));
    return lambda_response_set_json(response, answer);
}
"""


def build(folder, source, label):
    source.write_text(HANDLER % label)
    compile_handler([source], folder / "greet.so")


def test_rebuilt_function_answers_with_the_new_code(emulator, tmp_path):
    folder = tmp_path / "task"
    source = tmp_path / "greet.c"
    build(folder, source, "first")
    emu = emulator([f"greet={folder},handler=greet.handler"])
    assert emu.invoke("greet").json() == {"build": "first"}
    assert emu.invoke("greet").json() == {"build": "first"}
    pid = emu.debug("greet")["environments"][0]["pid"]
    build(folder, source, "second")
    assert emu.invoke("greet").json() == {"build": "second"}
    envs = emu.debug("greet")
    assert envs["cold_starts"] == 2
    assert pid not in [e["pid"] for e in envs["environments"] if e["state"] not in ("stopping", "dead")]
