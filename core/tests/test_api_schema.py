import pytest
import yaml

EXPECTED = [
    "/api/courses/", "/api/courses/{slug}/", "/api/courses/{course_slug}/lessons/{lesson_slug}/", "/api/concepts/",
    "/api/concepts/{slug}/", "/api/faq/", "/api/search/", "/api/quizzes/{slug}/", "/api/quizzes/{slug}/attempts/",
    "/api/attempts/", "/api/attempts/{attempt_id}/", "/api/labs/", "/api/jobs/", "/api/jobs/{job_id}/",
    "/api/jobs/{job_id}/cancel/", "/api/jobs/{job_id}/events", "/api/jobs/{job_id}/metrics.csv",
    "/api/jobs/{job_id}/weights", "/api/token/",
]  # fmt: skip


@pytest.mark.django_db
class ApiSchemaTests:
    def test_the_openapi_schema_lists_every_endpoint(self, client):
        response = client.get("/api/schema/")
        assert response.status_code == 200
        schema = yaml.safe_load(response.content)
        assert schema["openapi"].startswith("3.")
        assert set(EXPECTED) <= set(schema["paths"])
        events = schema["paths"]["/api/jobs/{job_id}/events"]["get"]
        assert "text/event-stream" in events["responses"]["200"]["content"]

    def test_every_operation_documents_its_error_answers_with_their_json_bodies(self, client):
        schema = yaml.safe_load(client.get("/api/schema/").content)
        assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "code"}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation["responses"]
                expected = {"401", "403", "429", "503"}
                expected |= {"404"} if "{" in path else set()
                expected |= {"400", "413", "415"} if "requestBody" in operation else set()
                expected |= {"409"} if method in ("post", "put", "patch", "delete") else set()
                assert expected <= set(responses), f"{method} {path}"
                for code in expected:
                    body = responses[code]["content"]["application/json"]["schema"]["$ref"]
                    assert body.endswith("/ValidationError" if code == "400" else "/Error"), f"{code} {path}"
                assert "Retry-After" in responses["429"]["headers"]

    def test_the_schema_is_the_same_in_every_language(self, client):
        english = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en").content
        chinese = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
        assert english == chinese

    def test_the_token_operation_needs_no_credentials(self, client):
        operation = yaml.safe_load(client.get("/api/schema/").content)["paths"]["/api/token/"]["post"]
        assert operation["security"] == []

    def test_every_request_body_is_one_json_body(self, client):
        schema = yaml.safe_load(client.get("/api/schema/").content)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                if "requestBody" in operation:
                    assert list(operation["requestBody"]["content"]) == ["application/json"], (
                        f"{method} {path}"
                    )

    def test_every_enum_has_one_type(self, client):
        schemas = yaml.safe_load(client.get("/api/schema/").content)["components"]["schemas"]
        for name, schema in schemas.items():
            if "enum" in schema:
                assert len({type(value) for value in schema["enum"] if value is not None}) == 1, name

    def test_an_unknown_api_address_answers_json(self, client):
        response = client.get("/api/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404 and response.json() == {
            "detail": "Not found.",
            "code": "not_found",
        }
        assert "<html" in client.get("/no-such-page/").content.decode().lower()

    def test_the_interactive_docs_load_without_inline_scripts(self, client):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().replace(" ", "")

    def test_a_token_authenticates_the_api(self, client, student):
        token = client.post("/api/token/", {"username": "student", "password": "correct horse 1"}).json()[
            "token"
        ]
        response = client.get("/api/jobs/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200 and response.json() == []


@pytest.mark.django_db
class TypedJsonTests:
    """The JSON columns and free-form answers are typed in the schema, so generated clients get models and
    unions, not untyped objects."""

    def test_a_jobs_json_columns_and_an_attempts_answers_are_typed(self, client):
        schemas = yaml.safe_load(client.get("/api/schema/").content)["components"]["schemas"]
        detail = schemas["JobDetail"]["properties"]
        assert detail["params"]["type"] == "object" and detail["params"]["additionalProperties"]["oneOf"]
        assert detail["metrics"]["type"] == "object" and detail["metrics"]["additionalProperties"]["oneOf"]
        assert detail["history"]["items"]["properties"]["step"] == {"type": "integer"}
        assert detail["visuals"]["type"] == "object"
        assert schemas["JobSubmitRequest"]["properties"]["params"]["additionalProperties"]["oneOf"]
        answers = schemas["AttemptBodyRequest"]["properties"]["answers"]["additionalProperties"]["anyOf"]
        assert {"integer", "array", "string", "number", "object"} == {shape["type"] for shape in answers}
        assert schemas["GradedQuestion"]["properties"]["given"]["anyOf"] == answers

    def test_an_experiments_parts_are_typed(self, client):
        schemas = yaml.safe_load(client.get("/api/schema/").content)["components"]["schemas"]
        experiment = schemas["Experiment"]["properties"]
        for name, component in [("lesson", "LessonLink"), ("prediction", "PredictionAsk"), ("check", "CheckAsk"),
                                ("mine", "Mine")]:  # fmt: skip
            assert experiment[name]["allOf"] == [{"$ref": f"#/components/schemas/{component}"}], name
        assert set(schemas["Mine"]["properties"]) == {"prediction", "passed"}
        assert schemas["Prediction"]["properties"]["prediction"]["type"] == "number"
