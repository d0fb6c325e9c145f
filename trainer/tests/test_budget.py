"""A run's duration is estimated before it is queued, from a step cost measured on a worker, and a run that
would not finish inside its lab's limit is refused up front, naming the field and the largest value that fits."""

import json

import pytest
from django.utils import translation

from core import redis_clients
from trainer import budget
from trainer.catalog import LABS
from trainer.catalog.lab import Timing, specs
from trainer.forms import defaults
from trainer.labs import warm_up
from trainer.models import Job


@pytest.fixture(scope="module")
def measured() -> dict[str, Timing]:
    """What a worker measures at its warm-up, here on this machine (one thread, as each worker process has).
    Whether every lab's maxima fit its limit on such a machine is a figure of `make bench` (step "budget"):
    a timing, which a test run beside the rest of the suite cannot judge."""
    return warm_up()


@pytest.fixture
def api(client, student):
    client.force_login(student)
    return client


def submit(client, lab, **params):
    return client.post(
        "/api/jobs/",
        {"lab": lab, "params": params},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


class MeasurementTests:
    def test_the_warm_up_times_every_lab(self, measured):
        assert set(measured) == set(LABS)
        assert all(t.step_s > 0 and t.setup_s >= 0 for t in measured.values())


@pytest.mark.django_db
@pytest.mark.usefixtures("worker_at_rest")
class RefusalTests:
    def test_a_run_that_cannot_finish_is_refused_before_anything_is_queued(self, api):
        """On a worker that measured the rnn at 0.2 s a step (a loaded machine), 3,000 steps cannot fit 400 s."""
        budget.store({"rnn": Timing(setup_s=0.5, step_s=0.2)})
        response = submit(api, "rnn", steps=3000)
        assert response.status_code == 400
        message = response.json()["params"]["steps"][0]
        largest = int((400 * budget.SHARE - 0.5) / 0.2)
        assert message.startswith("About 10 min: longer than this lab's limit of 6 min 40 s. With the other")
        assert f"at most {largest} for “Steps”" in message
        assert not Job.objects.exists()
        assert submit(api, "rnn", steps=largest).status_code == 201, "the largest value named does fit"

    def test_the_other_settings_count_too(self, api):
        budget.store({"rnn": Timing(setup_s=0.5, step_s=0.2)})
        small = submit(api, "rnn", steps=1000)
        assert small.status_code == 201
        wide = submit(api, "rnn", steps=1000, hidden_size=64, batch_size=128)
        assert wide.status_code == 400 and "steps" in wide.json()["params"]

    def test_the_message_is_in_the_learners_language(self, api):
        budget.store({"rnn": Timing(setup_s=0.5, step_s=0.2)})
        response = api.post(
            "/api/jobs/",
            {"lab": "rnn", "params": {"steps": 3000}},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert "6 分 40 秒" in response.json()["params"]["steps"][0]

    def test_without_a_measurement_nothing_is_refused(self, api):
        redis_clients.client().delete(budget.KEY)
        assert submit(api, "rnn", steps=3000).status_code == 201

    def test_a_gpu_run_is_not_held_to_the_cpu_estimate(self, api):
        budget.store({"rnn": Timing(setup_s=0.5, step_s=0.2)})
        response = submit(api, "rnn", steps=3000, device="cuda")
        assert "steps" not in response.json().get("params", {}), (
            "refused (if at all) for the GPU, not the time"
        )


@pytest.mark.django_db
@pytest.mark.usefixtures("worker_at_rest")
class EstimateApiTests:
    def test_it_estimates_as_the_learner_types(self, client):
        budget.store({"linear-regression": Timing(setup_s=0.1, step_s=0.001)})
        response = client.post(
            "/api/labs/linear-regression/estimate/",
            {"params": {"steps": 2000}},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        body = response.json()
        assert body == {
            "seconds": 2.1, "limit_s": 60, "fits": True, "field": "steps", "largest": 47900, "advice": "",
            "summary": "Estimated time: about 2 s (this lab's limit: 1 min).", "slowdown": 1.0, "gpu": False,
        }  # fmt: skip
        chinese = client.post("/api/labs/linear-regression/estimate/", {"params": {"steps": 2000}},
                              content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()  # fmt: skip
        assert chinese["summary"] == "预计用时：约 2 秒（本实验上限：1 分钟）。", chinese["summary"]

    def test_it_says_whether_a_gpu_worker_is_there_to_choose(self, client):
        from core.workers import KEY, announce

        ask = lambda: client.post("/api/labs/cnn/estimate/", {"params": {}}, content_type="application/json")  # noqa: E731
        assert ask().json()["gpu"] is False
        announce("gpu@node1", ["cpu", "gpu", "maintenance"])
        assert ask().json()["gpu"] is True
        redis_clients.client().delete(KEY.format("gpu@node1"))
        assert ask().json()["gpu"] is False

    def test_a_model_too_large_for_any_step_is_told_which_size_fits_in_minutes(self, client):
        """A gpt measured at 2 s a step: at its largest embedding not one step fits; the advice names the
        largest embedding that fits the steps asked for, and speaks in minutes and hours, not seconds."""
        budget.store({"gpt": Timing(setup_s=1.0, step_s=2.0)})
        lab = LABS["gpt"]
        widest = specs(lab.config)["embedding_size"][0].maximum
        body = client.post("/api/labs/gpt/estimate/", {"params": {"embedding_size": widest, "steps": 600}},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()  # fmt: skip
        assert not body["fits"]
        assert " h " in body["advice"] and " s." not in body["advice"].split(":")[0]
        label = specs(lab.config)["embedding_size"][0].label
        assert f"“{label}” at most" in body["advice"], body["advice"]

    def test_invalid_settings_are_named(self, client):
        response = client.post(
            "/api/labs/linear-regression/estimate/",
            {"params": {"steps": -3}},
            content_type="application/json",
        )
        assert response.status_code == 400 and "steps" in response.json()["params"]

    def test_an_unknown_lab_is_named(self, client):
        response = client.post("/api/labs/nope/estimate/", {"params": {}}, content_type="application/json")
        assert response.status_code == 400 and "nope" in response.json()["lab"][0]


@pytest.mark.django_db
class LearningTests:
    def test_a_finished_run_moves_the_stored_cost_towards_its_own(self):
        lab = LABS["linear-regression"]
        budget.store({lab.slug: Timing(setup_s=0.0, step_s=0.001)})
        config = lab.config(**{**defaults(lab), "steps": 1000})
        budget.learn(lab, config, seconds=4.0, steps_done=1000)  # it took 4 ms a step
        stored = json.loads(redis_clients.client().hget(budget.KEY, lab.slug))
        assert stored["step_s"] == pytest.approx(0.001 + (0.004 - 0.001) / 3)
        assert stored["source"] == "runs"

    def test_a_run_with_a_learners_function_has_its_own_cost_and_leaves_the_labs(self):
        """Its steps ask a sandbox: the first such run that finishes sets what the next ones are estimated at
        (and refused by), and the lab's own runs stay estimated at the lab's own cost."""
        lab = LABS["gpt"]
        budget.store({lab.slug: Timing(setup_s=0.0, step_s=0.001)})
        config = lab.config(**defaults(lab))
        steps = config.steps
        before = budget.estimate(lab, config, slowdown=1.0, exercise="causal-attention")["seconds"]
        assert before == budget.estimate(lab, config, slowdown=1.0)["seconds"]  # nothing known yet: the lab's

        per_step = lab.time_limit_s / steps  # such a run took the whole limit
        budget.learn(lab, config, seconds=per_step * steps, steps_done=steps, exercise="causal-attention")
        assert json.loads(redis_clients.client().hget(budget.KEY, lab.slug))["step_s"] == 0.001
        own = budget.estimate(lab, config, slowdown=1.0, exercise="causal-attention")
        assert own["seconds"] == pytest.approx(lab.time_limit_s) and not own["fits"]
        assert budget.estimate(lab, config, slowdown=1.0)["fits"]


@pytest.mark.django_db
class LoadTests:
    """Estimates follow the pace the workers announce (core.workers.Pace): a busy machine's estimates are a busy
    machine's, and what is measured on a busy machine is kept as at rest."""

    def test_a_busy_machine_makes_the_estimate_longer_and_says_so(self):
        lab = LABS["linear-regression"]
        budget.store({lab.slug: Timing(setup_s=0.1, step_s=0.001)})
        config = lab.config(**{**defaults(lab), "steps": 2000})
        busy = budget.estimate(lab, config, slowdown=3.0)
        assert busy["seconds"] == pytest.approx(3 * 2.1) and busy["slowdown"] == 3.0
        assert busy["summary"] == (
            "Estimated time: about 6 s (this lab's limit: 1 min). "
            "The workers are busy: runs take about 3.0× as long as at rest now."
        )
        with translation.override("zh-hans"):
            assert "繁忙" in budget.estimate(lab, config, slowdown=3.0)["summary"]
        assert budget.estimate(lab, config, slowdown=1.2)["summary"].endswith("limit: 1 min).")

    def test_a_refusal_on_a_busy_machine_says_why(self):
        lab = LABS["rnn"]
        budget.store({"rnn": Timing(setup_s=0.5, step_s=0.05)})
        config = lab.config(**{**defaults(lab), "steps": 3000})
        assert budget.estimate(lab, config, slowdown=1.0)["fits"]  # 150 s: fits at rest
        refused = budget.estimate(lab, config, slowdown=4.0)
        assert not refused["fits"] and "The workers are busy" in refused["summary"]

    def test_the_estimate_takes_the_least_loaded_workers_pace(self, client):
        """The next run may go to any worker of the queue: the one at rest sets the pace."""
        from core.workers import KEY, announce, slowdown

        announce("lonely@busy", ["lonely"], slowdown=3.0)
        assert slowdown("lonely") == 3.0
        announce("lonely@rested", ["lonely"], slowdown=1.5)
        assert slowdown("lonely") == 1.5
        assert slowdown("nobody-consumes-this") == 1.0
        redis_clients.client().delete(KEY.format("lonely@busy"), KEY.format("lonely@rested"))

    def test_the_estimate_api_answers_at_the_workers_pace(self, client, worker_at_rest):
        budget.store({"linear-regression": Timing(setup_s=0.1, step_s=0.001)})
        answer = client.post("/api/labs/linear-regression/estimate/", {"params": {"steps": 2000}},
                             content_type="application/json").json()  # fmt: skip
        assert answer["slowdown"] == 1.0 and answer["seconds"] == pytest.approx(2.1)

    def test_what_a_busy_machine_measures_is_kept_as_at_rest(self):
        lab = LABS["linear-regression"]
        budget.store({lab.slug: Timing(setup_s=0.2, step_s=0.004)}, slowdown=2.0)
        assert budget.timing(lab.slug) == Timing(setup_s=0.1, step_s=0.002)
        config = lab.config(**{**defaults(lab), "steps": 1000})
        budget.learn(lab, config, seconds=2 * 4.1, steps_done=1000, slowdown=2.0)  # 4 ms a step at rest
        assert budget.timing(lab.slug).step_s == pytest.approx(0.002 + (0.004 - 0.002) / 3)

    def test_the_pace_shows_a_processor_shared_with_other_work(self):
        """Real contention: twice as many busy processes as processors make the same arithmetic slower (than
        just before, whatever else the machine was doing then: a CI machine is never quite at rest)."""
        import multiprocessing
        import os
        import statistics

        from core.workers import Pace

        pace = Pace()
        for _ in range(3):
            pace.probe()
        before = statistics.median(pace.recent)
        busy = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(2 * (os.cpu_count() or 1))]
        for process in busy:
            process.start()
        try:
            for _ in range(3):
                pace.probe()
            assert statistics.median(pace.recent) >= 1.5 * before, (before, pace.recent)
            assert pace.slowdown() >= 1.5  # its best is at most `before`
        finally:
            for process in busy:
                process.kill()

    def test_a_worker_being_stopped_breaks_neither_the_estimate_nor_healthz(self, client):
        """A stopping worker's flag (trainer.streams.stopping_key, and an older release's under `workers:`)
        is no worker of the registry: the cluster rehearsal found a 500 on every submission while one was set."""
        from core.workers import live_workers
        from trainer.streams import stopping_key

        redis = redis_clients.client()
        redis.set(stopping_key("cpu@going"), "1", ex=60)
        redis.set("workers:stopping:cpu@old", "1", ex=60)
        budget.store({"linear-regression": Timing(setup_s=0.1, step_s=0.001)})
        try:
            names = [name for names in live_workers(redis).values() for name in names]
            assert not any("going" in name or "old" in name for name in names)
            answer = client.post(
                "/api/labs/linear-regression/estimate/", {"params": {}}, content_type="application/json"
            )
            assert answer.status_code == 200 and answer.json()["slowdown"] >= 1.0
        finally:
            redis.delete(stopping_key("cpu@going"), "workers:stopping:cpu@old")

    def test_a_worker_announces_its_pace(self, worker):
        import time

        from core.workers import WORKER_TTL, announced

        deadline = time.monotonic() + WORKER_TTL  # each test ends with the cache cleared: the next heartbeat
        while not (
            states := [s for n, s in announced(redis_clients.client()).items() if n.startswith("test-")]
        ):
            assert time.monotonic() < deadline, "no announcement from the test's worker"
            time.sleep(0.2)
        assert all(s["slowdown"] >= 1.0 for s in states)


def _spin() -> None:
    while True:
        pass
