"""The labs' training functions on their own: plain PyTorch, no database, no worker.

Each lab trains a tiny configuration through a Reporter that collects what it would stream, so these tests
see exactly what the browser would: JSON points in step order, frames in the shape the page draws, and
final metrics. A few run a lab's defaults to check that it teaches what it says.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

import pytest
import torch

from trainer.catalog import LABS
from trainer.catalog.lab import Lab, specs
from trainer.labs import cnn
from trainer.labs.base import Outcome, Reporter
from trainer.labs.errors import Cancelled

CPU = torch.device("cpu")

# Few steps each: enough to run every code path (reports, frames, the final visuals) in about a second.
TINY: dict[str, dict[str, Any]] = {
    "linear-regression": {"steps": 45, "report_every": 20},
    "logistic-regression": {"steps": 5, "batch_size": 32},
    "activations": {"steps": 5, "points": 60},
    "cnn": {"epochs": 2, "train_images": 40, "batch_size": 16},
    "rnn": {"steps": 12},
    "overfitting": {"epochs": 5},
    "class-imbalance": {"steps": 5, "points": 300},
    "gpt": {"steps": 12, "corpus": "faq-en", "layers": 1, "embedding_size": 16, "sample_every": 5},
}
TIMINGS = {"tokens_per_s"}  # measured on the clock: the only numbers a seed does not fix


@pytest.fixture(autouse=True)
def one_thread():
    """One thread, as a worker process has: timings are stable and results do not depend on the machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@dataclasses.dataclass
class Run:
    outcome: Outcome
    batches: list[dict[str, Any]]

    @property
    def points(self) -> list[dict[str, Any]]:
        return [point for batch in self.batches for point in batch["points"]]

    @property
    def frames(self) -> list[dict[str, Any]]:
        return [batch["frame"] for batch in self.batches if "frame" in batch]

    def series(self, name: str) -> list[float]:
        return [point[name] for point in self.points if name in point]


def train(slug: str, *, interval: float = 0.25, **overrides: Any) -> Run:
    """Trains a lab the way the worker does, collecting every batch the Reporter emits."""
    lab = LABS[slug]
    config = lab.config(**overrides)
    batches: list[dict[str, Any]] = []
    reporter = Reporter(getattr(config, lab.steps_field), batches.append, interval=interval)
    outcome = lab.train(config, reporter, CPU)
    return Run(outcome, batches)


def tiny(slug: str, **overrides: Any) -> Run:
    # interval=0: every report is emitted with its frame, so the frame builders run at every step.
    return train(slug, interval=0, **{**TINY[slug], **overrides})


@functools.cache
def tiny_run(slug: str) -> Run:
    """One tiny run per lab, shared by the tests that only read it."""
    return tiny(slug)


@functools.cache
def default_run(slug: str) -> Run:
    """One run of a lab's defaults, shared by the tests that only read it."""
    return train(slug)


def is_probability(value: Any) -> bool:
    return isinstance(value, float | int) and 0 <= value <= 1


def check_fit(frame: dict) -> None:
    assert frame["train"] and all(
        len(p) == 2 and all(isinstance(v, float) for v in p) for p in frame["train"]
    )
    assert len(frame["curve"]) >= 2 and all(len(p) == 2 for p in frame["curve"])
    assert all(len(p) == 2 for p in frame.get("val", []))


def check_confusion(frame: dict) -> None:
    assert frame["labels"] == ["malignant", "benign"]
    assert [len(row) for row in frame["matrix"]] == [2, 2]
    assert all(isinstance(n, int) and n >= 0 for row in frame["matrix"] for n in row)


def check_boundary(frame: dict) -> None:
    xmin, xmax, ymin, ymax = frame["extent"]
    assert xmin < xmax and ymin < ymax
    size = frame["size"]
    assert set(frame["models"]) == {"sigmoid", "tanh", "relu"}
    for probabilities in frame["models"].values():
        assert len(probabilities) == size * size and all(is_probability(p) for p in probabilities)
    assert all(len(p) == 3 and p[2] in (0, 1) for p in frame["points"])


def check_filters(frame: dict) -> None:
    assert frame["count"] == 32 and frame["size"] == 3
    assert len(frame["rgb"]) == 32 * 3 * 3 * 3
    assert all(isinstance(v, int) and 0 <= v <= 255 for v in frame["rgb"])
    assert min(frame["rgb"]) == 0 and max(frame["rgb"]) == 255, "each filter is stretched to the full range"


def check_predictions(predictions: list) -> None:
    assert len(predictions) == 8
    for prediction in predictions:
        assert len(prediction["image"]) == 32 * 32 * 3
        assert all(isinstance(v, int) and 0 <= v <= 255 for v in prediction["image"])
        assert prediction["label"] in "0123456789" and prediction["predicted"] in "0123456789"
        assert is_probability(prediction["confidence"])


def check_sequence(frame: dict) -> None:
    length = len(frame["t"])
    assert length >= 50
    assert len(frame["target"]) == len(frame["prediction"]) == len(frame["generated"]) == length
    assert frame["t"] == list(range(frame["t"][0], frame["t"][0] + length))


def check_recall(frame: dict) -> None:
    assert frame["classes"] == ["majority", "minority"]
    assert set(frame["methods"]) == {"none", "resample", "weights"}
    assert all(len(r) == 2 and all(is_probability(v) for v in r) for r in frame["methods"].values())


def check_samples(samples: list) -> None:
    assert samples and [s["step"] for s in samples] == sorted({s["step"] for s in samples})
    assert all(s["text"].startswith(s["prompt"]) and len(s["text"]) > len(s["prompt"]) for s in samples)


def check_attention(frame: dict) -> None:
    n = len(frame["characters"])
    for heads in frame["layers"]:
        for rows in heads:
            assert [len(row) for row in rows] == list(range(1, n + 1)), "the causal triangle"
            assert all(0 <= v <= 100 for row in rows for v in row)


def check_neighbours(entries: list) -> None:
    assert entries
    for entry in entries:
        assert len(entry["neighbours"]) == 5
        assert all(-1 <= similarity <= 1 for _character, similarity in entry["neighbours"])


def check_gradients(frame: dict) -> None:
    """Per network, one positive finite norm per linear layer (hidden layers, then the output)."""
    assert set(frame) == {"sigmoid", "tanh", "relu"}
    lengths = {len(norms) for norms in frame.values()}
    assert len(lengths) == 1 and lengths.pop() >= 2
    assert all(isinstance(v, float) and v >= 0 for norms in frame.values() for v in norms)


CHECKS = {
    "gradients": check_gradients,
    "fit": check_fit,
    "confusion": check_confusion,
    "boundary": check_boundary,
    "filters": check_filters,
    "predictions": check_predictions,
    "sequence": check_sequence,
    "recall": check_recall,
    "samples": check_samples,
    "attention": check_attention,
    "neighbours": check_neighbours,
}


@pytest.mark.parametrize("slug", LABS)
class LabTests:
    def test_it_streams_json_points_in_step_order_to_the_end(self, slug: str) -> None:
        lab, run = LABS[slug], tiny_run(slug)
        json.dumps(run.batches, allow_nan=False)
        steps = [point["step"] for point in run.points]
        assert steps and steps == sorted(set(steps)), "each step once, in increasing order"
        assert all(a["step"] <= b["step"] for a, b in zip(run.batches, run.batches[1:], strict=False))
        assert run.batches[-1]["progress"] == 1.0
        assert all(batch["progress"] <= 1.0 for batch in run.batches)
        charted = {series for chart in lab.charts for series in chart.series}
        reported = {name for point in run.points for name in point} - {"step"}
        assert reported == charted, "every scalar has a chart and every chart has points"

    def test_it_draws_frames_and_final_visuals_the_page_knows(self, slug: str) -> None:
        lab, run = LABS[slug], tiny_run(slug)
        assert run.frames, "at least the first report and the end carry a frame"
        for frame in run.frames:
            assert set(frame) <= set(lab.visuals)
            for kind, value in frame.items():
                CHECKS[kind](value)
        assert set(run.outcome.visuals) == set(lab.visuals)
        assert run.frames[-1] == run.outcome.visuals, "the last frame is the final visuals"
        json.dumps(run.outcome.visuals, allow_nan=False)

    def test_it_returns_json_metrics_and_the_trained_model(self, slug: str) -> None:
        run = tiny_run(slug)
        assert run.outcome.metrics
        json.dumps(run.outcome.metrics, allow_nan=False)
        assert isinstance(run.outcome.model, torch.nn.Module)

    def test_it_gives_the_same_numbers_for_the_same_seed(self, slug: str) -> None:
        first, second = tiny_run(slug), tiny(slug)

        def seeded(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: v for k, v in point.items() if k not in TIMINGS} for point in points]

        assert seeded([first.outcome.metrics]) == seeded([second.outcome.metrics])
        assert seeded(first.points) == seeded(second.points)
        assert seeded(tiny(slug, seed=1).points) != seeded(first.points), (
            "the seed is what makes them the same"
        )

    def test_it_stops_when_the_learner_cancels(self, slug: str) -> None:
        lab = LABS[slug]
        config = lab.config(**TINY[slug])
        reports = []

        def cancel(batch: dict[str, Any]) -> None:
            reports.append(batch)
            raise Cancelled

        with pytest.raises(Cancelled):
            lab.train(config, Reporter(getattr(config, lab.steps_field), cancel), CPU)
        assert len(reports) == 1, "the first report raised, and nothing ran after it"

    def test_it_declares_every_hyperparameter_for_the_form(self, slug: str) -> None:
        lab = LABS[slug]
        declared = specs(lab.config)
        assert [field.name for field in dataclasses.fields(lab.config)] == list(declared)
        assert {"learning_rate", "optimizer", "seed", "device", lab.steps_field} <= set(declared)
        assert declared["learning_rate"][0].log
        assert declared[lab.steps_field][0].maximum is not None, "a cap on the run's length"
        for name, (spec, default) in declared.items():
            assert spec.label and spec.help, name
            if spec.kind == "choice":
                assert default in [value for value, _label in spec.choices], name
            elif spec.kind in ("int", "float"):
                assert spec.minimum is not None and spec.maximum is not None, name
                assert spec.minimum <= default <= spec.maximum, name


class RegistryTests:
    def test_it_lists_the_labs_in_teaching_order(self) -> None:
        assert list(LABS) == [
            "linear-regression",
            "logistic-regression",
            "activations",
            "cnn",
            "rnn",
            "overfitting",
            "class-imbalance",
            "gpt",
        ]
        assert all(isinstance(lab, Lab) and LABS[slug].slug == slug for slug, lab in LABS.items())


class LinearRegressionTests:
    def test_it_recovers_the_seed_line_with_defaults(self) -> None:
        run = default_run("linear-regression")
        assert abs(run.outcome.metrics["w"] - 0.1) < 0.01
        assert abs(run.outcome.metrics["b"] - 0.3) < 0.01
        assert [point["step"] for point in run.points] == list(range(0, 2001, 20))
        assert run.series("loss")[-1] < run.series("loss")[0] / 1000

    def test_it_always_reports_the_last_step(self) -> None:
        run = tiny("linear-regression")
        assert [point["step"] for point in run.points] == [0, 20, 40, 44]

    def test_it_draws_the_fitted_line_over_the_unit_interval(self) -> None:
        run = default_run("linear-regression")
        (x0, y0), (x1, y1) = run.outcome.visuals["fit"]["curve"]
        assert (x0, x1) == (0.0, 1.0)
        assert abs(y0 - 0.3) < 0.01 and abs(y1 - 0.4) < 0.01


class LogisticRegressionTests:
    def test_it_tells_malignant_from_benign_on_held_out_tumours(self) -> None:
        metrics = train("logistic-regression").outcome.metrics
        assert metrics["accuracy"] > 0.9
        assert metrics["recall"] > 0.85, "malignant tumours, the positive class, are found"
        (tp, fn), (fp, _tn) = metrics["confusion_matrix"]
        assert tp + fn == 53, "a quarter of the 212 malignant tumours, held out by the stratified split"
        assert metrics["precision"] == round(tp / (tp + fp), 4)


class ActivationsTests:
    def test_it_shows_sigmoid_learning_slower_than_tanh_and_relu(self) -> None:
        accuracy = default_run("activations").outcome.metrics["accuracy"]
        assert accuracy["tanh"] > accuracy["sigmoid"] + 0.1
        assert accuracy["relu"] > accuracy["sigmoid"] + 0.1

    def test_it_starts_all_three_networks_from_the_same_weights(self) -> None:
        # One Adam step at the smallest learning rate moves each weight by about 0.0001.
        models = tiny("activations", steps=1, learning_rate=0.0001).outcome.model
        first = {name: model.layers[0].weight.detach() for name, model in models.items()}
        assert torch.allclose(first["sigmoid"], first["tanh"], atol=3e-4)
        assert torch.allclose(first["sigmoid"], first["relu"], atol=3e-4)


class CnnTests:
    def test_it_shows_32_rgb_filters_and_8_held_out_predictions(self) -> None:
        visuals = tiny_run("cnn").outcome.visuals
        assert visuals["filters"]["count"] == 32
        assert len(visuals["filters"]["rgb"]) == 32 * 3 * 3 * 3
        assert len(visuals["predictions"]) == 8

    def test_it_learns_from_all_the_training_digits_by_default(self) -> None:
        data = cnn.make_data(cnn.Config())
        assert len(data.y_train) == cnn.Config.train_images == 1438
        assert len(data.y_val) == 1797 - 1438
        assert data.x_train.shape[1:] == (3, 32, 32)

    def test_it_reports_every_mini_batch_and_validates_at_each_epoch_end(self) -> None:
        run = tiny_run("cnn")  # 40 images in batches of 16: 3 batches an epoch, 2 epochs
        assert [point["step"] for point in run.points] == list(range(6))
        assert [point["step"] for point in run.points if "val_accuracy" in point] == [2, 5]
        assert run.batches[-1]["total"] == 6

    def test_it_outputs_logits_for_cross_entropy(self) -> None:
        model = tiny_run("cnn").outcome.model
        model.eval()
        with torch.no_grad():
            logits = model(torch.rand(4, 3, 32, 32))
        assert logits.shape == (4, 10)
        assert not torch.allclose(logits.sum(dim=1), torch.ones(4)), "no softmax before the loss"


class RnnTests:
    def test_it_learns_to_predict_the_wave(self) -> None:
        run = train("rnn", steps=50)
        # The wave's variance is about 0.6: predicting its mean would score that.
        assert run.outcome.metrics["val_mse"] < 0.1
        assert run.series("val_loss")[-1] < run.series("val_loss")[0] / 5

    @pytest.mark.parametrize("cell", ["rnn", "lstm"])
    def test_it_trains_each_cell(self, cell: str) -> None:
        run = tiny("rnn", cell=cell)
        assert run.outcome.metrics["val_mse"] is not None


class OverfittingTests:
    def test_it_overfits_by_default(self) -> None:
        run = default_run("overfitting")
        metrics = run.outcome.metrics
        val_loss, loss = run.series("val_loss"), run.series("loss")
        best = metrics["best_step"]
        assert metrics["val_loss"] > 1.3 * metrics["best_val_loss"], "validation loss rises again"
        assert loss[-1] < loss[best] / 10, "while the training loss keeps falling"
        assert val_loss[best] == min(val_loss)
        assert not metrics["stopped_early"]

    @pytest.mark.parametrize("remedy", [{"weight_decay": 0.01}, {"dropout": 0.4}, {"early_stopping": True}])
    def test_it_ends_with_a_lower_validation_loss_with_each_remedy(self, remedy: dict[str, Any]) -> None:
        plain = default_run("overfitting").outcome.metrics
        remedied = train("overfitting", **remedy).outcome.metrics
        assert remedied["val_loss"] < 0.85 * plain["val_loss"]

    def test_it_stops_early_keeping_the_best_weights_at_full_progress(self) -> None:
        run = train("overfitting", early_stopping=True, patience=50)
        metrics = run.outcome.metrics
        assert metrics["stopped_early"]
        assert metrics["val_loss"] == metrics["best_val_loss"]
        assert run.points[-1]["step"] == metrics["best_step"] + 50
        assert run.batches[-1]["progress"] == 1.0


class ClassImbalanceTests:
    def test_it_finds_more_of_the_rare_class_with_either_correction(self) -> None:
        run = train("class-imbalance")
        metrics = run.outcome.metrics
        plain = metrics["none"]["recall_minority"]
        assert metrics["resample"]["recall_minority"] > plain + 0.2
        assert metrics["weights"]["recall_minority"] > plain + 0.2
        assert metrics["none"]["accuracy"] > metrics["resample"]["accuracy"], "accuracy hides the problem"
        recall = run.outcome.visuals["recall"]["methods"]
        assert recall["none"][1] == round(plain, 4)


class TimeLeftTests:
    def test_it_counts_from_the_first_step_at_the_pace_of_the_steps_taken(self) -> None:
        """Ten seconds of set-up (data, model) before a run of one second a step: halfway, about half the
        steps' time is left — not the set-up's share again, which made "time left" start high and jump."""
        now = [0.0]
        batches: list[dict] = []
        report = Reporter(100, batches.append, interval=0, clock=lambda: now[0])
        now[0] = 10.0  # the set-up
        for step in range(50):
            report(step, loss=1.0)
            now[0] += 1.0
        assert batches[-1]["step"] == 49
        assert batches[-1]["eta_s"] == pytest.approx(50.0, abs=1.5)

    def test_a_resumed_run_counts_only_the_steps_it_took(self) -> None:
        now = [0.0]
        batches: list[dict] = []
        report = Reporter(100, batches.append, interval=0, clock=lambda: now[0])
        for step in range(80, 90):  # resumed from a checkpoint at step 80, 2 s a step
            report(step, loss=1.0)
            now[0] += 2.0
        assert batches[-1]["eta_s"] == pytest.approx(20.0, abs=2.5)
