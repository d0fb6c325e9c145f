"""Every key a lab reports reaches the learner as words in their language (the page composes `loss_relu`
from `loss` and `relu`)."""

import pytest

from trainer.labs import LABS
from trainer.labs.class_imbalance import CLASSES
from trainer.labs.logistic_regression import LABELS


def words(names: dict[str, str], key: str) -> str | None:
    if key in names:
        return names[key]
    head, _, tail = key.rpartition("_")
    return f"{names[head]} · {names[tail]}" if head in names and tail in names else None


@pytest.mark.django_db
class NamesTests:
    def test_every_series_class_and_variant_has_words_in_chinese(self, client):
        labs = {lab["slug"]: lab for lab in client.get("/api/labs/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()}
        for slug, lab in LABS.items():
            names = labs[slug]["names"]
            keys = [series for chart in lab.charts for series in chart.series] + [*CLASSES, *LABELS]
            for key in keys:
                assert words(names, key), f"{slug}: no words for {key}"
        names = labs["class-imbalance"]["names"]
        assert words(names, "loss_none") == "损失 · 不做处理"
        assert names["malignant"] == "恶性" and names["majority"] == "多数类"
