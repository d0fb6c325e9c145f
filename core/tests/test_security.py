"""Headers, CSRF, access to the admin, throttles, and the production check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from trainer.models import Job

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
class HeadersTests:
    def test_pages_forbid_inline_scripts_sniffing_and_framing(self, client):
        response = client.get("/")
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"

    def test_no_page_carries_an_inline_script(self, client, course):
        for url in ("/", "/courses/test-course/gradients/", "/concepts/map/", "/faq/", "/labs/cnn/"):
            html = client.get(url).content.decode()
            for tag in html.split("<script")[1:]:
                head = tag.split(">", 1)[0]
                assert "src=" in head or 'type="application/json"' in head, f"{url}: inline <script{head}>"


class ProductionSettingsTests:
    def test_check_deploy_is_clean_and_cookies_are_secure(self):
        # The browser tests' fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for this process; production never has it,
        # nor the plain HTTP (HTTPS=0) that `make test` serves, as `make run` does.
        unlike_production = ("DJANGO_ALLOW_ASYNC_UNSAFE", "HTTPS")
        inherited = {k: v for k, v in os.environ.items() if k not in unlike_production}
        env = {
            **inherited,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "example.com",
        }
        check = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
        program = ("import django; django.setup(); from django.conf import settings as s; "
                   "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)")  # fmt: skip
        shown = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60,
                               env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"})  # fmt: skip
        assert shown.stdout.split() == ["True", "True", "True", "True"]


@pytest.mark.django_db
class CsrfTests:
    def test_forms_refuse_a_post_without_the_token(self, course, student):
        client = Client(enforce_csrf_checks=True)
        client.force_login(student)
        response = client.post(
            reverse("lesson_complete", args=["test-course", "gradients"]), {"complete": "1"}
        )
        assert response.status_code == 403
        assert not student.lesson_progress.exists()

    def test_session_authenticated_api_writes_need_the_token(self, student):
        client = Client(enforce_csrf_checks=True)
        client.force_login(student)
        response = client.post("/api/jobs/", {"lab": "linear-regression"}, content_type="application/json")
        assert response.status_code == 403 and "CSRF" in response.json()["detail"]
        assert not Job.objects.exists()


@pytest.mark.django_db
class AccessTests:
    def test_a_student_cannot_open_the_admin(self, client, student):
        client.force_login(student)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert client.get("/admin/lessons/lesson/").status_code == 302

    def test_job_submissions_are_rate_limited_per_learner(self, client, student, other_student, settings):
        settings.JOB_SUBMIT_RATE = "3/hour"
        settings.JOBS_PER_LEARNER = 100
        client.force_login(student)
        codes = [client.post("/api/jobs/", {"lab": "linear-regression"}, content_type="application/json",
                             HTTP_ACCEPT_LANGUAGE="en").status_code for _ in range(4)]  # fmt: skip
        assert codes == [201, 201, 201, 429]
        client.force_login(other_student)
        assert (
            client.post(
                "/api/jobs/", {"lab": "linear-regression"}, content_type="application/json"
            ).status_code
            == 201
        )
        assert Job.objects.count() == 4


class DatabaseDownTests:
    def test_pages_answer_503_with_a_clear_page_and_come_back(
        self, client, transactional_db, course, database_down
    ):
        response = client.get("/courses/test-course/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 503
        assert "cannot reach its database" in response.content.decode()
        assert response["Retry-After"] == "10"
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["failing"] == ["database"]
        database_down()  # the database is back
        assert client.get("/courses/test-course/").status_code == 200
