"""Train with your code: a passing gradient step trains the linear-regression lab, a passing binary
cross-entropy the logistic-regression lab, a passing softmax cross-entropy, convolution and max-pool the CNN,
through the real `sandbox` worker, streaming like any job; a passing function whose run blows up ends
`diverged`; one that raises ends `failed` in the learner's words; a function that has not passed trains
nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from exercises import sandbox
from exercises.content import exercises
from exercises.models import Attempt
from trainer.models import Job

SLUG = "linear-gradient-step"
pytestmark = pytest.mark.skipif(not sandbox.available(), reason=f"no sandbox here: {sandbox.probe()}")


BCE, SOFTMAX = "stable-sigmoid-bce", "stable-softmax-cross-entropy"


def passed(owner, source: str, slug: str = SLUG) -> Attempt:
    """An attempt as the checker leaves it after the hidden tests held (each source here passes them)."""
    return Attempt.objects.create(owner=owner, exercise=slug, source=source, status=Attempt.Status.PASSED)


def train(client, params: dict | None = None, slug: str = SLUG):
    body = {"params": params or {}}
    return client.post(
        f"/api/exercises/{slug}/train/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def ended(job_id: int, timeout: float = 90) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in Job.FINAL:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end: {Job.objects.get(pk=job_id).status}")


def labs_own_run(job: Job) -> tuple[Any, dict[int, dict]]:
    """The lab's own run (PyTorch's functions throughout) at a job's settings, on the CPU: its outcome and its
    points by step, to hold a run of the learner's function to."""
    import torch

    from trainer.catalog import LABS
    from trainer.labs.base import Reporter

    lab = LABS[job.lab]
    config = lab.config(**{k: v for k, v in job.params.items() if k != "learner_code"})
    batches: list[dict] = []
    own = lab.train(config, Reporter(getattr(config, lab.steps_field), batches.append), torch.device("cpu"))
    return own, {p["step"]: p for b in batches for p in b["points"]}


@pytest.fixture
def learner(client, student):
    client.force_login(student)
    return client


class TrainWithCodeTests:
    def test_it_fits_the_seeds_line_with_the_learners_step(self, learner, student, worker) -> None:
        passed(student, exercises()[SLUG].solution)
        response = train(learner, {"steps": 400})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["queue"] == "code-runs" and body["params"]["learner_code"]["author"] == "student"
        job = ended(body["id"])
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        assert abs(job.metrics["w"] - 0.1) < 0.05 and abs(job.metrics["b"] - 0.3) < 0.05
        assert len(job.history) >= 400 // 20  # the points streamed, as any run's

    def test_it_ends_diverged_when_the_passing_step_blows_up(self, learner, student, worker) -> None:
        passed(student, exercises()[SLUG].solution)
        job = ended(train(learner, {"learning_rate": 1.5, "steps": 400}).json()["id"])
        assert job.status == Job.Status.DIVERGED

    def test_it_fails_in_the_learners_words_when_their_function_raises(
        self, learner, student, worker
    ) -> None:
        source = (
            exercises()[SLUG].solution + "\n_real = gradient_step\n\ndef gradient_step(w, b, x, y, lr):\n"
            "    if len(x) == 100:\n        raise ValueError('a hundred points')\n    return _real(w, b, x, y, lr)\n"
        )
        passed(student, source)
        job = ended(train(learner).json()["id"])
        assert job.status == Job.Status.FAILED
        assert "ValueError: a hundred points" in job.error_message

    @pytest.mark.django_db
    def test_it_trains_on_the_cpu_and_refuses_a_gpu_in_words(self, learner, student) -> None:
        """The learner's function runs in the sandbox, on the CPU; so does the lab's model around it."""
        passed(student, exercises()[SLUG].solution)
        response = train(learner, {"device": "cuda"})
        assert response.status_code == 400 and "never on a GPU" in response.json()["params"]["device"][0]
        assert not Job.objects.exists()
        assert train(learner, {"device": "auto"}).json()["params"]["device"] == "cpu"

    @pytest.mark.django_db
    def test_it_refuses_a_function_that_has_not_passed(self, learner, student) -> None:
        Attempt.objects.create(owner=student, exercise=SLUG, source="x", status=Attempt.Status.FAILED)
        response = train(learner)
        assert response.status_code == 400 and "Pass the exercise first" in response.json()["detail"]
        assert not Job.objects.exists()


# Sources that pass the hidden tests (whose batches hold several examples) and yet harm a run: the lab reads
# the learner's loss of one example at a time, and the worker's own loss is what the run reports.
NAN_ALONE = {
    BCE: "\n_real = bce_with_logits\n\ndef bce_with_logits(z, y):\n"
    "    return np.nan if len(z) == 1 else _real(z, y)\n",
    SOFTMAX: "\n_real = softmax_cross_entropy\n\ndef softmax_cross_entropy(logits, labels):\n"
    "    return np.nan if len(labels) == 1 else _real(logits, labels)\n",
}
TIRED = {  # raises once it has been called a thousand times: mid-training, never in the checks
    BCE: "\n_real, _calls = bce_with_logits, []\n\ndef bce_with_logits(z, y):\n    _calls.append(1)\n"
    "    if len(_calls) > 1000:\n        raise RuntimeError('tired of logits')\n    return _real(z, y)\n",
    SOFTMAX: "\n_real, _calls = softmax_cross_entropy, []\n\ndef softmax_cross_entropy(logits, labels):\n"
    "    _calls.append(1)\n    if len(_calls) > 1000:\n        raise RuntimeError('tired of logits')\n"
    "    return _real(logits, labels)\n",
}
SMALL_CNN = {"epochs": 1, "train_images": 320, "batch_size": 32}  # ten steps


class TrainWithLossTests:
    def test_their_binary_cross_entropy_trains_logistic_regression(self, learner, student, worker) -> None:
        passed(student, exercises()[BCE].solution, BCE)
        body = train(learner, {"steps": 200}, BCE).json()
        assert body["lab"] == "logistic-regression" and body["queue"] == "code-runs"
        job = ended(body["id"])
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        assert job.params["learner_code"] | {"source": ""} == {
            "exercise": BCE, "attempt": Attempt.objects.get().pk, "author": "student", "source": ""
        }  # fmt: skip
        assert job.metrics["accuracy"] > 0.9  # the lab's own held-out tumours
        assert len(job.history) >= 2 and job.history[0]["loss"] > job.history[-1]["loss"]

    def test_their_softmax_cross_entropy_trains_the_cnn(self, learner, student, worker) -> None:
        passed(student, exercises()[SOFTMAX].solution, SOFTMAX)
        body = train(learner, SMALL_CNN, SOFTMAX).json()
        assert body["lab"] == "cnn" and body["params"]["learner_code"]["author"] == "student"
        job = ended(body["id"], timeout=180)
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        assert job.metrics["val_accuracy"] > 0.3  # ten classes: chance is 0.1

    @pytest.mark.parametrize(("slug", "params"), [(BCE, {"steps": 50}), (SOFTMAX, SMALL_CNN)])
    def test_a_passing_loss_that_gives_nan_in_training_ends_diverged(
        self, learner, student, worker, slug, params
    ) -> None:
        passed(student, exercises()[slug].solution + NAN_ALONE[slug], slug)
        job = ended(train(learner, params, slug).json()["id"], timeout=180)
        assert job.status == Job.Status.DIVERGED, job.error_message

    @pytest.mark.parametrize(("slug", "params"), [(BCE, {"steps": 300}), (SOFTMAX, SMALL_CNN)])
    def test_a_loss_that_raises_mid_training_fails_in_the_learners_words(
        self, learner, student, worker, slug, params
    ) -> None:
        passed(student, exercises()[slug].solution + TIRED[slug], slug)
        job = ended(train(learner, params, slug).json()["id"], timeout=180)
        assert job.status == Job.Status.FAILED
        assert "RuntimeError: tired of logits (line" in job.error_message
        assert len(job.history) >= 1  # it trained before it raised


class SessionTests:
    """The sandbox kept open for a run: answers line by line, and is stopped when it does not answer."""

    def test_it_answers_each_line_with_the_same_process(self) -> None:
        code = "import sys\nfor n, line in enumerate(sys.stdin):\n    print(n, line.strip(), flush=True)\n"
        with sandbox.Session(code) as session:
            assert session.ask(b"a") == b"0 a" and session.ask(b"b" * 100_000) == b"1 " + b"b" * 100_000

    def test_a_silent_sandbox_is_stopped_at_its_answers_time(self) -> None:
        with sandbox.Session("import time\ntime.sleep(60)\n") as session:
            started = time.monotonic()
            with pytest.raises(sandbox.SessionEnded) as ended:
                session.ask(b"hello", timeout_s=1)
        assert ended.value.status == "timeout" and time.monotonic() - started < 5

    def test_one_that_exits_says_so(self) -> None:
        with sandbox.Session("raise SystemExit(3)") as session, pytest.raises(sandbox.SessionEnded) as ended:
            session.ask(b"hello")
        assert ended.value.status == "ok"

    def test_a_flood_is_cut_at_the_cap(self) -> None:
        limits = sandbox.Limits(output_bytes=4096)
        with (
            sandbox.Session("print('x' * 100_000)", limits) as session,
            pytest.raises(sandbox.SessionEnded) as ended,
        ):
            session.ask(b"")
        assert ended.value.status == "output"


ADAMW = "adamw-step"


class TrainWithOptimizerTests:
    def test_their_adamw_trains_logistic_regression_as_pytorchs_does(self, learner, student, worker) -> None:
        import torch

        from trainer.catalog import LABS
        from trainer.labs import logistic_regression
        from trainer.labs.base import Reporter

        passed(student, exercises()[ADAMW].solution, ADAMW)
        body = train(learner, {"steps": 100}, ADAMW).json()
        assert body["lab"] == "logistic-regression" and body["params"]["learner_code"]["exercise"] == ADAMW
        job = ended(body["id"])
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        config = LABS["logistic-regression"].config(
            **{k: v for k, v in job.params.items() if k != "learner_code"}
        )
        pytorchs = logistic_regression.train(
            config,
            Reporter(config.steps, lambda batch: None),
            torch.device("cpu"),
            make_own_optimizer=lambda params, lr: torch.optim.AdamW(params, lr=lr),
        )
        assert job.metrics["confusion_matrix"] == pytorchs.metrics["confusion_matrix"]
        assert job.metrics["val_loss"] == pytest.approx(pytorchs.metrics["val_loss"], abs=2e-3)

    def test_an_update_that_raises_mid_training_fails_in_the_learners_words(
        self, learner, student, worker
    ) -> None:
        source = exercises()[ADAMW].solution + (
            "\n_real = adamw_step\n\ndef adamw_step(p, g, m, v, t, *rest):\n"
            "    if t == 40:\n        raise ArithmeticError('step forty')\n    return _real(p, g, m, v, t, *rest)\n"
        )
        passed(student, source, ADAMW)
        job = ended(train(learner, {"steps": 100}, ADAMW).json()["id"])
        assert job.status == Job.Status.FAILED
        assert "ArithmeticError: step forty (line" in job.error_message


ATTENTION = "causal-attention"
TINY_GPT = {"corpus": "faq-en", "context_length": 16, "layers": 2, "heads": 2, "embedding_size": 16, "steps": 30,
            "batch_size": 4, "sample_every": 10, "warmup_steps": 2, "learning_rate": 0.03, "device": "cpu"}  # fmt: skip


class TrainWithAttentionTests:
    def test_their_causal_attention_trains_the_gpt_as_the_labs_own_does(
        self, learner, student, worker
    ) -> None:
        passed(student, exercises()[ATTENTION].solution, ATTENTION)
        body = train(learner, TINY_GPT, ATTENTION).json()
        assert body["lab"] == "gpt" and body["params"]["learner_code"]["exercise"] == ATTENTION
        job = ended(body["id"], timeout=180)
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        assert job.params["learner_code"]["author"] == "student"
        own, own_points = labs_own_run(job)
        own_curve = {step: point["loss"] for step, point in own_points.items()}
        their_curve = {point["step"]: point["loss"] for point in job.history}
        assert len(their_curve) == len(own_curve) == 30 and own_curve[0] > own_curve[29]
        # Their weights, back-propagated exactly: the same run (without dq and dk, the part computed here, the
        # curve is 0.016 off at this learning rate).
        for step, loss in own_curve.items():
            assert their_curve[step] == pytest.approx(loss, abs=1e-3), step
        assert job.metrics["val_loss"] == pytest.approx(own.metrics["val_loss"], abs=1e-3)
        assert len(job.visuals["attention"]["layers"]) == 2  # the map drawn is their weights'

    def test_attention_that_gives_nan_in_training_ends_diverged(self, learner, student, worker) -> None:
        source = exercises()[ATTENTION].solution + (
            "\n_real = causal_attention\n\ndef causal_attention(q, k, v):\n"
            "    return _real(q, k, v) * (np.nan if len(q) == 16 else 1.0)\n"
        )
        passed(student, source, ATTENTION)
        job = ended(train(learner, TINY_GPT, ATTENTION).json()["id"], timeout=180)
        assert job.status == Job.Status.DIVERGED, job.error_message

    def test_attention_that_raises_fails_in_the_learners_words(self, learner, student, worker) -> None:
        source = exercises()[ATTENTION].solution + (
            "\n_real = causal_attention\n\ndef causal_attention(q, k, v):\n"
            "    if len(q) == 16:\n        raise IndexError('sixteen characters')\n    return _real(q, k, v)\n"
        )
        passed(student, source, ATTENTION)
        job = ended(train(learner, TINY_GPT, ATTENTION).json()["id"], timeout=180)
        assert job.status == Job.Status.FAILED
        assert "IndexError: sixteen characters (line" in job.error_message


CONV = "conv2d-max-pool"
TINY_CNN = {"train_images": 64, "batch_size": 16}  # four steps (and the held-out 360 images)


class TrainWithConvolutionTests:
    def test_their_convolution_and_pooling_train_the_cnn_as_the_labs_own_does(
        self, learner, student, worker
    ) -> None:
        passed(student, exercises()[CONV].solution, CONV)
        body = train(learner, TINY_CNN, CONV).json()
        assert body["lab"] == "cnn" and body["params"]["learner_code"]["exercise"] == CONV
        assert body["params"]["epochs"] == 1  # not the lab's two: their convolution is slower than PyTorch's
        job = ended(body["id"], timeout=180)
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        own, own_points = labs_own_run(job)
        own_curve = {step: point["loss"] for step, point in own_points.items()}
        their_curve = {point["step"]: point["loss"] for point in job.history}
        assert len(their_curve) == len(own_curve) == 4
        # Their forward values and the exact derivatives at them: the lab's own run, to the reported digits.
        for step, loss in own_curve.items():
            assert their_curve[step] == pytest.approx(loss, abs=2e-5), step
        assert job.metrics["val_accuracy"] == own.metrics["val_accuracy"]
        assert job.metrics["val_loss"] == pytest.approx(own.metrics["val_loss"], abs=1e-3)

    def test_a_convolution_that_gives_inf_in_training_ends_diverged(self, learner, student, worker) -> None:
        source = exercises()[CONV].solution + (
            "\n_real = conv2d\n\ndef conv2d(image, kernel):\n"
            "    return _real(image, kernel) * (np.inf if len(image) > 100 else 1.0)\n"
        )  # the checks' values are of smaller images (their 2000-row one is only timed)
        passed(student, source, CONV)
        job = ended(train(learner, TINY_CNN, CONV).json()["id"], timeout=180)
        assert job.status == Job.Status.DIVERGED, job.error_message

    def test_a_pooling_that_raises_fails_in_the_learners_words(self, learner, student, worker) -> None:
        source = exercises()[CONV].solution + (
            "\n_real = max_pool2x2\n\ndef max_pool2x2(x):\n"
            "    if len(x) > 5000:\n        raise MemoryError('a tall stack')\n    return _real(x)\n"
        )
        passed(student, source, CONV)
        job = ended(train(learner, TINY_CNN, CONV).json()["id"], timeout=180)
        assert job.status == Job.Status.FAILED
        assert "MemoryError: a tall stack (line" in job.error_message

    @pytest.mark.parametrize(
        ("wrong", "said"),
        [
            (
                "\n_real = conv2d\n\ndef conv2d(image, kernel):\n"
                "    return np.pad(_real(image, kernel), 1) if len(image) > 100 else _real(image, kernel)\n",
                "conv2d of a 512×32 image and a 3×3 kernel returned an array of shape (512, 32): "
                "expected (510, 30)",
            ),
            (
                "\n_real = max_pool2x2\n\ndef max_pool2x2(x):\n"
                "    return _real(x) + (0.001 if len(x) > 100 else 0.0)\n",
                "max_pool2x2 returned a value that is none of its 2×2 block's four values",
            ),
        ],
        ids=["conv2d-shape", "max-pool-value"],
    )
    def test_an_answer_the_layer_cannot_use_fails_with_what_was_wrong(
        self, learner, student, worker, wrong, said
    ) -> None:
        passed(student, exercises()[CONV].solution + wrong, CONV)
        job = ended(train(learner, TINY_CNN, CONV).json()["id"], timeout=180)
        assert job.status == Job.Status.FAILED
        assert said in job.error_message

    def test_a_maximum_that_is_none_of_its_blocks_values_is_garbled(self) -> None:
        """What the harness refuses can reach the worker only from code that wrote its own answer."""
        import torch

        from exercises.training import LearnerCodeError, MaxPool2x2

        x = torch.arange(16.0).view(1, 1, 4, 4)
        with pytest.raises(LearnerCodeError) as refused:
            MaxPool2x2.apply(x, lambda x: torch.nn.functional.max_pool2d(x, 2) + 0.5)
        assert refused.value.said.code == "learner_code_garbled"

    def test_a_loop_over_each_output_pixel_fails_only_speed(self) -> None:
        from exercises.grading import check

        exercise = exercises()[CONV]
        per_pixel = exercise.solution.replace(
            "    for a in range(k_h):\n        for b in range(k_w):\n"
            "            out += kernel[a, b] * image[a : a + out.shape[0], b : b + out.shape[1]]\n",
            "    for i in range(out.shape[0]):\n        for j in range(out.shape[1]):\n"
            "            out[i, j] = np.sum(image[i : i + k_h, j : j + k_w] * kernel)\n",
        )
        assert per_pixel != exercise.solution
        assert check(exercise, exercise.solution).verdict.passed
        assert check(exercise, per_pixel).verdict.failed == ["conv_fast"]


def test_every_trainable_exercise_has_its_loop() -> None:
    from exercises.services import TRAINABLE
    from exercises.training import TRAINERS

    assert set(TRAINERS) == TRAINABLE
    assert all(
        exercises()[slug].lab in {"linear-regression", "logistic-regression", "cnn", "gpt", "rnn"}
        for slug in TRAINABLE
    )


RNN_CELL = "rnn-cell-step"
SHORT_RNN = {"steps": 20, "sequence_length": 10, "device": "cpu"}


def with_training_batch(change: str) -> str:
    """The solution, but `change` (an expression of the state `new`) at the lab's batch of 64 windows, a batch
    the checks never try (they try 1, 5 and 2)."""
    return exercises()[RNN_CELL].solution + (
        "\n_real = rnn_step\n\ndef rnn_step(x, h, W_xh, W_hh, b):\n    new = _real(x, h, W_xh, W_hh, b)\n"
        f"    return {change} if len(x) == 64 else new\n"
    )


class TrainWithRecurrentCellTests:
    def test_their_cell_trains_the_rnn_as_the_labs_own_plain_rnn_does(self, learner, student, worker) -> None:
        passed(student, exercises()[RNN_CELL].solution, RNN_CELL)
        body = train(learner, SHORT_RNN, RNN_CELL).json()
        assert body["lab"] == "rnn" and body["params"]["cell"] == "rnn"  # the lab's own default is a GRU
        job = ended(body["id"])
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        own, own_points = labs_own_run(job)
        their_points = {point["step"]: point for point in job.history}
        assert len(their_points) == len(own_points) == 20
        # Their states, back-propagated through time exactly: the same run, its gradient through time too.
        for step, point in own_points.items():
            for series in ("loss", "grad_oldest", "grad_newest"):
                assert their_points[step][series] == pytest.approx(point[series], abs=1e-5), (step, series)
        assert job.metrics["val_mse"] == pytest.approx(own.metrics["val_mse"], abs=1e-5)
        # The free run on the page is their cell's too, its state carried from one call to the next.
        generated = own.visuals["sequence"]["generated"]
        assert job.visuals["sequence"]["generated"] == pytest.approx(generated, abs=2e-3)

    @pytest.mark.django_db
    def test_it_refuses_a_gated_cell(self, learner, student) -> None:
        passed(student, exercises()[RNN_CELL].solution, RNN_CELL)
        response = train(learner, {"cell": "lstm"}, RNN_CELL)
        assert response.status_code == 400
        assert "a run with it uses the cell “Plain RNN”" in response.json()["params"]["cell"][0]
        assert not Job.objects.exists()

    def test_a_cell_that_gives_nan_in_training_ends_diverged(self, learner, student, worker) -> None:
        passed(student, with_training_batch("new * np.nan"), RNN_CELL)
        job = ended(train(learner, SHORT_RNN, RNN_CELL).json()["id"])
        assert job.status == Job.Status.DIVERGED, job.error_message

    def test_a_cell_that_raises_fails_in_the_learners_words(self, learner, student, worker) -> None:
        passed(student, with_training_batch("new[64]"), RNN_CELL)
        job = ended(train(learner, SHORT_RNN, RNN_CELL).json()["id"])
        assert job.status == Job.Status.FAILED
        assert "IndexError: index 64 is out of bounds" in job.error_message and "(line " in job.error_message

    def test_a_state_of_the_wrong_shape_fails_with_the_shape_it_should_have(
        self, learner, student, worker
    ) -> None:
        passed(student, with_training_batch("new[:, :1]"), RNN_CELL)
        job = ended(train(learner, SHORT_RNN, RNN_CELL).json()["id"])
        assert job.status == Job.Status.FAILED
        said = "rnn_step(x of shape (64, 1), h of shape (64, 32)) returned an array of shape (64, 1): expected (64, 32)"
        assert said in job.error_message
