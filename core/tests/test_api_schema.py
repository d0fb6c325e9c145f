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

    def test_every_operation_documents_its_error_answers(self, client):
        schema = yaml.safe_load(client.get("/api/schema/").content)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), f"{method} {path}"

    def test_an_unknown_api_address_answers_json(self, client):
        response = client.get("/api/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
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
