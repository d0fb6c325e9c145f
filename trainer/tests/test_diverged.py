"""A run whose loss stops being a number ends as `diverged`, at the step where it happened, and nothing that
is not a number reaches a chart, a comparison or a download."""

import math

import pytest
import torch
from django.utils import translation

from trainer.catalog import LABS
from trainer.labs.base import Reporter
from trainer.labs.errors import Diverged
from trainer.models import Job

from .sse import read_until, stream
from .test_live import points


class ReporterTests:
    def test_it_stops_at_the_first_value_that_is_not_a_number_and_keeps_the_last_finite_loss(self):
        batches = []
        report = Reporter(100, batches.append, interval=0)
        report(0, loss=torch.tensor(4.0), w=1.0)
        report(1, loss=torch.tensor(9.0), w=2.0)
        with pytest.raises(Diverged) as raised:
            report(2, loss=torch.tensor(math.inf), w=3.0)
        assert (raised.value.step, raised.value.series) == (2, "loss")
        assert (raised.value.last_loss, raised.value.last_step) == (9.0, 1)
        sent = [p for b in batches for p in b["points"]]
        assert [p["step"] for p in sent] == [0, 1], "the point that is not a number is never sent"

    def test_a_batch_holding_a_nan_sends_the_points_before_it_only(self):
        batches = []
        report = Reporter(100, batches.append, interval=3600)  # nothing goes out until flushed
        # As a GPU loop leaves them: tensors, turned into numbers (and checked) only when the batch goes out.
        report.pending = [
            (step, {"loss_relu": torch.tensor([v])}) for step, v in enumerate([1.0, 0.5, math.nan])
        ]
        with pytest.raises(Diverged) as raised:
            report.flush({"boundary": "drawn from a model that is no longer finite"})
        assert raised.value.step == 2 and raised.value.last_loss == 0.5
        assert [p["step"] for p in batches[0]["points"]] == [0, 1] and "frame" not in batches[0]

    @pytest.mark.parametrize(
        ("lab", "params", "steps"),
        [
            ("linear-regression", {"learning_rate": 0.9, "steps": 300, "report_every": 1}, range(185, 186)),
            # "within a few dozen steps": where exactly depends on the processor's arithmetic (17 on one, 18 on
            # another); the experiment grades the learner's own run, whatever its step.
            ("rnn", {"learning_rate": 1.0, "optimizer": "sgd"}, range(10, 40)),
        ],
    )
    def test_real_labs_diverge_where_the_experiments_say(self, lab, params, steps):
        found = LABS[lab]
        config = found.config(**params, device="cpu")
        with pytest.raises(Diverged) as raised:
            found.train(config, Reporter(300, lambda batch: None), torch.device("cpu"))
        assert raised.value.step in steps and raised.value.last_loss is not None

    def test_the_default_learning_rate_does_not_diverge(self):
        lab = LABS["linear-regression"]
        outcome = lab.train(
            lab.config(device="cpu", steps=300), Reporter(300, lambda b: None), torch.device("cpu")
        )
        assert math.isfinite(outcome.metrics["loss"])


@pytest.fixture
def learner(client, student):
    client.force_login(student)
    client.session_id = client.cookies["sessionid"].value
    return client


def submit(client, language="en", **params) -> dict:
    response = client.post(
        "/api/jobs/",
        {"lab": "linear-regression", "params": params},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.worker
class DivergedRunTests:
    def test_a_diverged_run_ends_diverged_says_so_and_its_downloads_say_what_they_hold(
        self,
        learner,
        worker,
        asgi_server,
    ):
        job = submit(learner, learning_rate=0.9, steps=300, report_every=1)
        events = read_until(
            stream(asgi_server.url, job["events_url"], learner.session_id), lambda e: e.event == "end"
        )
        end = events[-1].data
        assert end["status"] == "diverged"
        assert end["error"].startswith(
            "Diverged at step 185: the learning rate is too large for this curvature."
        )
        sent = points(events)
        assert [p["step"] for p in sent] == list(range(185)), "every finite point, and nothing after"
        assert all(v is not None and math.isfinite(v) for p in sent for v in p.values())

        row = Job.objects.get(pk=job["id"])
        assert row.status == "diverged" and row.finished_at is not None
        assert row.metrics["diverged_at_step"] == 185 and row.metrics["last_finite_step"] == 184
        assert row.metrics["last_finite_loss"] > 1e30
        detail = learner.get(f"/api/jobs/{job['id']}/?history=1").json()
        assert detail["status"] == "diverged" and len(detail["history"]) == 185
        assert all(v is not None for p in detail["history"] for v in p.values())

        csv = learner.get(f"/api/jobs/{job['id']}/metrics.csv", HTTP_ACCEPT_LANGUAGE="en")
        assert "diverged-at-step-185" in csv["Content-Disposition"]
        lines = csv.content.decode().splitlines()
        assert lines[0] == "step,loss,w,b,note" and len(lines) == 1 + 185 + 1
        assert lines[-1].startswith('185,,,,"diverged at this step')
        weights = learner.get(f"/api/jobs/{job['id']}/weights", HTTP_ACCEPT_LANGUAGE="en")
        assert weights.status_code == 404
        assert weights.json()["detail"].startswith("This run diverged at step 185")

    def test_the_message_is_in_the_learners_language(self, learner, worker, asgi_server):
        job = submit(learner, "zh-hans", learning_rate=3.0, steps=100, report_every=1)
        read_until(stream(asgi_server.url, job["events_url"], learner.session_id), lambda e: e.event == "end")
        row = Job.objects.get(pk=job["id"])
        assert row.status == "diverged" and row.metrics["diverged_at_step"] == 23
        assert row.error_code == "diverged"  # stored as a code: each reader reads it in their language
        with translation.override("zh-hans"):
            assert row.error_message.startswith("在第 23 步发散")
        with translation.override("en"):
            assert row.error_message.startswith("Diverged at step 23")
