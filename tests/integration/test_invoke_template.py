"""`lambda-c invoke` takes the function's environment from the project's SAM template (Globals and
the function's Environment.Variables, intrinsic functions resolved as `serve` does), then
--env-file, then --env; run from a project outside the checkout (the installed SDK archive)."""
import json

import pytest

from conftest import BUILD
from sdk_helpers import installed_sdk

pytestmark = pytest.mark.packaging

# Answers {"NAME": value or null} for every NAME of the event's "names".
HANDLER = r"""#include <json-c/json.h>
#include <lambda-c.h>
#include <stdlib.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *names;
    if (lambda_event_json(event, &root) != LAMBDA_OK || !json_object_object_get_ex(root, "names", &names))
        return lambda_response_set_error(response, "BadEvent", "expected {\"names\": [...]}");
    json_object *answer = json_object_new_object();
    for (size_t i = 0; i < json_object_array_length(names); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(names, i));
        const char *value = getenv(name);
        json_object_object_add(answer, name, value ? json_object_new_string(value) : NULL);
    }
    return lambda_response_set_json(response, answer);
}
"""

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: provided.al2023
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: from-globals
        LEVEL: globals
Resources:
  ShowFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: show.handler
      Environment:
        Variables:
          LEVEL: function
          WHERE: !Sub "${AWS::Region}-${Stage}"
          TABLE: !Ref Items
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""

SECOND_FUNCTION = """  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: show.handler
      Environment:
        Variables:
          LEVEL: other
"""

NAMES = ["STAGE", "SHARED", "LEVEL", "WHERE", "TABLE", "FROM_FILE", "FROM_CLI"]


@pytest.fixture(scope="module")
def sdk():
    yield from installed_sdk(BUILD)


@pytest.fixture(scope="module")
def project(sdk):
    run = sdk.lambda_c("new", "show", "--template", "hello")
    assert run.returncode == 0, run.stderr
    folder = sdk.work / "show"
    (folder / "show.c").write_text(HANDLER)
    (folder / "template.yaml").write_text(TEMPLATE)
    run = sdk.lambda_c("build", cwd=folder)
    assert run.returncode == 0, run.stdout + run.stderr
    return folder


def invoke(sdk, project, *args, expect=0):
    run = sdk.lambda_c("invoke", "--zip", project / "build" / "show.zip", "--event", json.dumps({"names": NAMES}),
                       *args, cwd=project)
    assert run.returncode == expect, run.stdout + run.stderr
    return json.loads(run.stdout) if expect == 0 else run


def test_the_templates_environment_applies(sdk, project):
    assert invoke(sdk, project) == {"STAGE": "dev", "SHARED": "from-globals", "LEVEL": "function",
                                    "WHERE": "us-east-1-dev", "TABLE": "Items", "FROM_FILE": None,
                                    "FROM_CLI": None}


def test_region_and_a_template_elsewhere(sdk, project, tmp_path):
    elsewhere = tmp_path / "stack.yaml"
    elsewhere.write_text(TEMPLATE.replace("CodeUri: .", f"CodeUri: {project}").replace("Default: dev",
                                                                                         "Default: prod"))
    answer = invoke(sdk, project, "--template", elsewhere, "--region", "eu-west-1")
    assert (answer["STAGE"], answer["WHERE"]) == ("prod", "eu-west-1-prod")


def test_env_file_overrides_the_template_and_env_overrides_both(sdk, project, tmp_path):
    lines = tmp_path / "local.env"
    lines.write_text("LEVEL=file\nSHARED=file\nFROM_FILE=yes\n")
    answer = invoke(sdk, project, "--env-file", lines, "--env", "SHARED=cli", "--env", "FROM_CLI=1")
    assert answer == {"STAGE": "dev", "SHARED": "cli", "LEVEL": "file", "WHERE": "us-east-1-dev",
                      "TABLE": "Items", "FROM_FILE": "yes", "FROM_CLI": "1"}
    # SAM's --env-vars JSON: "Parameters" for every function, then the function's own group.
    sam = tmp_path / "env.json"
    sam.write_text(json.dumps({"Parameters": {"LEVEL": "parameters", "FROM_FILE": "p"},
                               "ShowFunction": {"FROM_FILE": "show"}, "OtherFunction": {"STAGE": "not-mine"}}))
    answer = invoke(sdk, project, "--env-file", sam, "--env", "TABLE=local-items")
    assert (answer["LEVEL"], answer["FROM_FILE"], answer["STAGE"], answer["TABLE"]) == \
        ("parameters", "show", "dev", "local-items")


def test_several_functions_of_one_folder_need_function(sdk, project, tmp_path):
    two = tmp_path / "two.yaml"
    two.write_text(TEMPLATE.replace("CodeUri: .", f"CodeUri: {project}") + SECOND_FUNCTION.replace(
        "CodeUri: .", f"CodeUri: {project}"))
    run = invoke(sdk, project, "--template", two, expect=2)
    assert "several functions" in run.stderr and "--function" in run.stderr, run.stderr
    assert invoke(sdk, project, "--template", two, "--function", "OtherFunction")["LEVEL"] == "other"
    assert invoke(sdk, project, "--template", two, "--function", "ShowFunction")["LEVEL"] == "function"
    run = invoke(sdk, project, "--template", two, "--function", "Nope", expect=2)
    assert "has no function 'Nope'" in run.stderr and "OtherFunction" in run.stderr, run.stderr


def test_a_project_without_a_template_runs_with_env_alone(sdk, project, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    run = sdk.lambda_c("invoke", bare, "--zip", project / "build" / "show.zip", "--env", "FROM_CLI=only",
                       "--event", json.dumps({"names": ["LEVEL", "FROM_CLI"]}))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"LEVEL": None, "FROM_CLI": "only"}
