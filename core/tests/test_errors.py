"""Every error the API answers has one shape, `{"detail": message, "code": code}` (or a field's messages and
a code), whoever writes it: DRF, a service's UserError, Django's error views or the ASGI parts."""

import pytest

from trainer.models import Job


@pytest.mark.django_db
class ErrorTests:
    def test_django_drf_and_the_services_answer_with_a_message_and_a_code(self, client, student):
        answers = {
            "not_found": client.get("/api/no-such-thing/"),
            "not_authenticated": client.get("/api/jobs/"),
        }
        client.force_login(student)
        answers["method_not_allowed"] = client.delete("/api/labs/")
        answers["conflict"] = client.post(
            f"/api/jobs/{Job.objects.create(owner=student, lab='gpt', params={}, status='failed').pk}/cancel/"
        )
        for code, response in answers.items():
            assert response.status_code >= 400
            body = response.json()
            assert body["code"] == code and body["detail"], body

    def test_a_run_without_weights_says_why_in_its_code(self, client, student):
        client.force_login(student)
        failed = Job.objects.create(owner=student, lab="linear-regression", params={}, status="failed")
        response = client.get(f"/api/jobs/{failed.pk}/weights", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response.json() == {
            "detail": "This run has no trained weights (it did not succeed).",
            "code": "no_weights",
        }
