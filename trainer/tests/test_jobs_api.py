"""Submitting, listing, cancelling and downloading jobs through the API (no worker needed here)."""

import math

import pytest
from django.conf import settings

from trainer.models import Job, JobWeights


@pytest.fixture
def api(client, student):
    client.force_login(student)
    return client


def submit(client, lab="linear-regression", **params):
    return client.post(
        "/api/jobs/",
        {"lab": lab, "params": params},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.django_db
class SubmitTests:
    def test_it_queues_a_job_with_the_defaults_filled_in(self, api, student):
        response = submit(api, learning_rate=0.3)
        assert response.status_code == 201
        job = Job.objects.get()
        assert job.owner == student and job.status == "queued" and job.queue == "cpu"
        assert job.params["learning_rate"] == 0.3 and job.params["steps"] == 2001
        assert response.json()["queue_position"] == 1

    def test_the_gpt_learns_the_text_of_the_learners_language_unless_asked_for_another(self, api):
        """The English page offers the English lessons, the Chinese page the Chinese ones; the API left without
        a `corpus` does the same, and one chosen is kept."""
        english = submit(api, "gpt", steps=10).json()
        chinese = api.post("/api/jobs/", {"lab": "gpt", "params": {"steps": 10}}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="zh-hans").json()  # fmt: skip
        assert (english["params"]["corpus"], chinese["params"]["corpus"]) == ("lessons-en", "lessons-zh")
        Job.objects.all().delete()
        assert submit(api, "gpt", steps=10, corpus="faq-zh").json()["params"]["corpus"] == "faq-zh"
        page = api.get("/labs/gpt/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<option value="lessons-en" selected>' in page
        labs = {lab["slug"]: lab for lab in api.get("/api/labs/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()}
        assert {h["name"]: h["default"] for h in labs["gpt"]["hyperparameters"]}["corpus"] == "lessons-zh"

    def test_anonymous_users_cannot_submit(self, client):
        assert submit(client).status_code == 401
        assert not Job.objects.exists()

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            ({"learning_rate": "NaN"}, "learning_rate", "Enter a number."),
            ({"learning_rate": "Infinity"}, "learning_rate", "Enter a number."),
            ({"learning_rate": "-inf"}, "learning_rate", "Enter a number."),
            ({"learning_rate": 1e9}, "learning_rate", "less than or equal to"),
            ({"learning_rate": "fast"}, "learning_rate", "Enter a number."),
            ({"steps": 2.5}, "steps", "whole number"),
            ({"steps": 10**9}, "steps", "less than or equal to"),
            ({"optimizer": "magic"}, "optimizer", "Select a valid choice"),
            ({"device": "tpu"}, "device", "Select a valid choice"),
            ({"momentum_of_doom": 1}, "momentum_of_doom", "no hyperparameter called"),
        ],
    )
    def test_bad_values_get_a_field_error_and_nothing_is_queued(self, api, params, field, message):
        response = submit(api, **params)
        assert response.status_code == 400
        assert message in " ".join(response.json()["params"][field])
        assert not Job.objects.exists()

    def test_json_nan_is_refused_before_validation(self, api):
        response = api.post(
            "/api/jobs/",
            '{"lab": "linear-regression", "params": {"learning_rate": NaN}}',
            content_type="application/json",
        )
        assert response.status_code == 400 and not Job.objects.exists()

    def test_a_form_body_cannot_stand_for_the_params_object(self, api):
        response = api.post("/api/jobs/", {"lab": "linear-regression", "params": "-13327"})
        assert response.status_code == 415 and not Job.objects.exists()

    def test_an_unknown_lab_is_named(self, api):
        response = submit(api, lab="alchemy")
        assert response.status_code == 400 and "alchemy" in response.json()["lab"][0]

    def test_a_learner_has_at_most_two_jobs_in_flight(self, api):
        assert submit(api).status_code == 201 and submit(api).status_code == 201
        third = submit(api)
        assert third.status_code == 429 and "already have 2 training runs" in third.json()["detail"]
        assert Job.objects.count() == settings.JOBS_PER_LEARNER

    def test_cuda_without_a_gpu_worker_is_refused_with_a_clear_message(self, api):
        response = submit(api, device="cuda")
        assert response.status_code == 400
        assert "No GPU worker is running" in response.json()["device"][0]
        assert not Job.objects.exists()

    def test_the_messages_follow_the_learners_language(self, api):
        response = api.post(
            "/api/jobs/",
            {"lab": "linear-regression", "params": {"learning_rate": "x"}},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.json()["params"]["learning_rate"] == ["请输入一个数字。"]


@pytest.mark.django_db
class OwnershipTests:
    def test_a_learner_cannot_see_cancel_stream_or_download_anothers_job(
        self, client, student, other_student
    ):
        job = Job.objects.create(
            owner=other_student,
            lab="linear-regression",
            params={},
            status="succeeded",
            history=[{"step": 0, "loss": 1.0}],
        )
        JobWeights.objects.create(job=job, data=b"weights")
        client.force_login(student)
        for url in (f"/api/jobs/{job.pk}/", f"/api/jobs/{job.pk}/metrics.csv", f"/api/jobs/{job.pk}/weights"):
            assert client.get(url).status_code == 404
        assert client.post(f"/api/jobs/{job.pk}/cancel/").status_code == 404
        assert [j["id"] for j in client.get("/api/jobs/").json()] == []

    def test_staff_see_every_job(self, client, staff, other_student):
        job = Job.objects.create(owner=other_student, lab="linear-regression", params={})
        client.force_login(staff)
        assert client.get(f"/api/jobs/{job.pk}/").status_code == 200


@pytest.mark.django_db
class CancelTests:
    def test_a_queued_job_is_cancelled_at_once(self, api, student):
        job = Job.objects.create(owner=student, lab="linear-regression", params={})
        response = api.post(f"/api/jobs/{job.pk}/cancel/")
        assert response.status_code == 200
        job.refresh_from_db()
        assert job.status == "cancelled" and job.finished_at

    def test_the_reason_reads_in_the_readers_language_not_the_cancellers(self, api, student):
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, language="zh-hans")
        assert api.post(f"/api/jobs/{job.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
        english = api.get(f"/api/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
        chinese = api.get(f"/api/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        assert english["error"] == "Cancelled before it started."
        assert english["error_code"] == chinese["error_code"] == "cancelled_before_start"
        assert chinese["error"] == "在开始前已取消。"

    def test_an_ended_job_cannot_be_cancelled(self, api, student):
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="succeeded")
        assert api.post(f"/api/jobs/{job.pk}/cancel/").status_code == 409


@pytest.mark.django_db
class DetailTests:
    def test_the_history_comes_only_when_asked_for(self, api, student):
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, history=[{"step": 0}])
        assert "history" not in api.get(f"/api/jobs/{job.pk}/").json()
        assert api.get(f"/api/jobs/{job.pk}/?history=true").json()["history"] == [{"step": 0}]
        for nonsense in ("null", ""):
            refused = api.get(f"/api/jobs/{job.pk}/?history={nonsense}", HTTP_ACCEPT_LANGUAGE="en")
            assert refused.status_code == 400 and "history" in refused.json()


@pytest.mark.django_db
class DownloadTests:
    def test_the_metrics_come_as_csv_and_the_weights_as_a_state_dict(self, api, student):
        job = Job.objects.create(
            owner=student,
            lab="linear-regression",
            params={},
            status="succeeded",
            history=[{"step": 0, "loss": 1.0, "w": 0.5}, {"step": 20, "loss": 0.5, "w": 0.2}],
        )
        JobWeights.objects.create(job=job, data=b"\x80weights")
        csv = api.get(f"/api/jobs/{job.pk}/metrics.csv").content.decode()
        assert csv.splitlines() == ["step,loss,w", "0,1.0,0.5", "20,0.5,0.2"]
        assert api.get(f"/api/jobs/{job.pk}/weights").content == b"\x80weights"

    def test_a_failed_job_has_no_weights(self, api, student):
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="failed")
        assert api.get(f"/api/jobs/{job.pk}/weights").status_code == 404


@pytest.mark.django_db
class LabsApiTests:
    def test_every_lab_declares_its_hyperparameters(self, client):
        labs = {lab["slug"]: lab for lab in client.get("/api/labs/", HTTP_ACCEPT_LANGUAGE="en").json()}
        assert set(labs) == {
            "linear-regression",
            "logistic-regression",
            "activations",
            "cnn",
            "rnn",
            "overfitting",
            "class-imbalance",
            "gpt",
        }
        for lab in labs.values():
            names = {h["name"] for h in lab["hyperparameters"]}
            assert {"learning_rate", "optimizer", "seed", "device"} <= names
            assert lab["steps_field"] in names
            for h in lab["hyperparameters"]:
                if h["kind"] in ("float", "int"):
                    assert h["minimum"] is not None and h["maximum"] is not None
                    assert math.isfinite(h["default"]) and h["minimum"] <= h["default"] <= h["maximum"]
        linear = {h["name"]: h for h in labs["linear-regression"]["hyperparameters"]}
        assert linear["learning_rate"]["default"] == 0.5 and linear["steps"]["default"] == 2001
