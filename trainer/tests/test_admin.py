"""A run's page in the admin reads in the admin's language: its heading, its labels and its values."""

import pytest

from trainer.messages import Message
from trainer.models import Job


@pytest.fixture
def run(student):
    """A learner's run that was stopped for taking too long."""
    job = Job.objects.create(
        owner=student, lab="linear-regression", params={"learning_rate": 0.3}, status="failed", device="cpu"
    )
    job.set_error(Message("time_limit", {"s": 60}))
    job.save()
    return job


def page(client, staff, path: str, language: str) -> str:
    client.force_login(staff)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
class RunPageTests:
    def test_it_reads_in_chinese_for_a_chinese_admin(self, client, staff, run):
        html = page(client, staff, f"/admin/trainer/job/{run.pk}/change/", "zh-hans")
        assert f"训练 {run.pk}（linear-regression，失败）" in html  # the heading
        for label in ("学习者", "实验", "状态", "结束原因", "超参数", "设备", "创建时间", "错误代码"):
            assert f"{label}:</label>" in html, label
        assert "线性回归" in html and "本次训练超出了本实验 60 秒的时长上限" in html
        for english in ("Created at", "Params", "Error code", "Linear regression", f"job {run.pk}"):
            assert english not in html, english

    def test_it_reads_in_english_for_an_english_admin(self, client, staff, run):
        html = page(client, staff, f"/admin/trainer/job/{run.pk}/change/", "en")
        assert f"job {run.pk} (linear-regression, Failed)" in html
        assert "Created at:</label>" in html and "Linear regression" in html and "训练" not in html

    def test_the_list_filters_by_lab_title_in_the_admins_language(self, client, staff, run):
        html = page(client, staff, "/admin/trainer/job/", "zh-hans")
        assert "以 实验" in html and "?lab=linear-regression" in html
        assert "创建时间" in html and "Created at" not in html
