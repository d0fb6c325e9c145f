"""Every key a lab reports reaches the learner as words in their language (the page composes `loss_relu`
from `loss` and `relu`)."""

import pytest

from trainer.catalog import LABS
from trainer.labs.class_imbalance import CLASSES
from trainer.labs.logistic_regression import LABELS
from trainer.messages import MESSAGES, Message, render
from trainer.models import Job


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


@pytest.mark.django_db
class ReaderLanguageTests:
    def test_the_dashboard_names_labs_by_their_titles(self, client, student):
        Job.objects.create(owner=student, lab="class-imbalance", params={}, status="succeeded")
        client.force_login(student)
        page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "类别不平衡" in page and ">class-imbalance<" not in page

    def test_the_admin_reads_runs_in_its_own_language(self, client, staff, student):
        job = Job.objects.create(owner=student, lab="rnn", params={}, status="cancelled", language="en")
        job.set_error(Message("cancelled"))
        job.save()
        client.force_login(staff)
        page = client.get("/admin/trainer/job/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "已被学习者取消。" in page and "循环神经网络" in page and "训练" in page
        assert "Cancelled by the learner." not in page

    def test_a_formula_error_in_the_admin_reads_in_its_language(self, client, staff):
        client.force_login(staff)
        response = client.post(
            "/admin/lessons/course/preview/", {"source": "$\\frac{1$"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 400 and "公式无法解析" in response.json()["error"]


class MessageTests:
    def test_every_message_code_reads_in_both_languages(self):
        from django.utils.translation import override

        params = {
            "s": 400,
            "reason": "ValueError",
            "step": 23,
            "loss": "1.5e+08",
            "last": 22,
            "series": "loss",
            "n": 5,
            "error": "ZeroDivisionError: division by zero",  # a learner's own function's (exercises/)
            "status": "timeout",
        }
        for code in MESSAGES:
            if code == "lab":
                continue
            with override("en"):
                english = render(code, params)
            with override("zh-hans"):
                chinese = render(code, params)
            assert english and chinese and english != chinese, code
        with override("zh-hans"):  # a lab's own message is translated when read
            assert render("lab", {"text": "This worker has no CUDA GPU. Choose “Automatic” or “CPU”."}) != (
                "This worker has no CUDA GPU. Choose “Automatic” or “CPU”."
            )
