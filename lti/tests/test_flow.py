"""The whole way through, as an LMS drives it: a teacher places a quiz and an experiment by deep linking, a
learner launches the quiz and finishes it, the score reaches the LMS's gradebook (again and again while the
LMS fails, never lost), a passed experiment posts full marks, the teacher sees what was sent, the roster is
read from the LMS."""

import contextlib

import pytest
from django.test import override_settings
from django.urls import reverse
from lti_tool.models import LtiUser

from experiments.models import Experiment, Prediction, Submission
from lessons.models import Lesson
from lti.models import Course, Placement, Score
from lti.tasks import resend_waiting_scores, send_score
from quizzes.tests.test_attempts import one_wrong_answer, right_answers
from trainer.models import Job

from .conftest import launch
from .platform import INSTRUCTOR, LEARNER, LTI


@contextlib.contextmanager
def eager():
    """The sweep's `.delay()` runs here and now instead of through the broker (no worker in these tests)."""
    app = send_score.app
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def experiment(course):
    return Experiment.objects.create(slug="too-large-a-step", lesson=Lesson.objects.get(slug="gradients"),
                                     lab="linear-regression", title="Too large a step", prediction_kind="choice",
                                     predict="What happens?", instructions_md="Run it.",
                                     explanation_md="It diverges.")  # fmt: skip


def place(client, lms, *activities: str) -> dict[str, dict]:
    """The teacher's deep-linking launch, their choice in the picker, and the LMS taking the response."""
    picker = launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR], message="LtiDeepLinkingRequest")
    assert picker.status_code == 200
    page = picker.content.decode()
    for value in activities:
        assert f'value="{value}"' in page
    placed = client.post(
        reverse("lti_deep_link"), {"launch": picker.context["launch_id"], "activity": activities}
    )
    assert placed.status_code == 200
    assert f"form-action 'self' {lms.url}" in placed["Content-Security-Policy"]
    items = lms.deep_link_return(placed.context["jwt"])
    client.logout()
    by_placement = {str(p.resource_id): f"{p.kind}:{p.slug}" for p in Placement.objects.all()}
    return {by_placement[item["custom"]["placement"]]: item for item in items}


def open_placed(client, lms, item: dict, sub: str = "learner-1"):
    return launch(client, lms, sub=sub, roles=[LEARNER], resource_link=item["resource_link"],
                  lineitem=item.get("lineitem"), **{LTI + "custom": item["custom"]})  # fmt: skip


@pytest.mark.django_db
class DeepLinkingAndGradesTests:
    def test_a_finished_quiz_posts_its_score_to_the_lms_then_the_roster_is_read(self, client, lms, registered, course,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
        items = place(client, lms, "quiz:gradients", "lesson:test-course/gradients", "lab:linear-regression")
        quiz_item = items["quiz:gradients"]
        assert (
            quiz_item["lineItem"]["scoreMaximum"] == 100
            and quiz_item["title"] == quiz_item["lineItem"]["label"]
        )
        assert (
            "lineItem" not in items["lesson:test-course/gradients"]
            and "lineItem" not in items["lab:linear-regression"]
        )
        lesson = open_placed(client, lms, items["lesson:test-course/gradients"])
        assert lesson["Location"] == Lesson.objects.get(slug="gradients").get_absolute_url()
        client.logout()
        opened = open_placed(client, lms, quiz_item)
        assert opened.status_code == 302 and opened["Location"] == "/quizzes/gradients/"
        with django_capture_on_commit_callbacks() as queued:
            client.post("/api/quizzes/gradients/attempts/", {"answers": right_answers(course)},
                        content_type="application/json")  # fmt: skip
        assert any("scores_record" in callback.__qualname__ for callback in queued)  # sent after the commit
        score = Score.objects.get()
        send_score.apply(args=[score.pk])
        assert lms.scores == [{
            "userId": "learner-1", "scoreGiven": 100.0, "scoreMaximum": 100, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": score.timestamp.isoformat(),
            "lineitem": quiz_item["lineitem"]}]  # fmt: skip
        score.refresh_from_db()
        assert score.status == Score.Status.SENT and score.tries == 1
        # … and the teacher reads the roster: the whole way, registration to roster, in one go.
        client.logout()
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        lms.members = [
            {"user_id": "learner-1", "roles": [LEARNER]},
            {"user_id": "learner-2", "roles": [LEARNER]},
        ]
        client.post(reverse("lti_roster", args=[Course.objects.get().pk]))
        assert sorted(Course.objects.get().klass.learners.values_list("lti_users__sub", flat=True)) == [
            "learner-1",
            "learner-2",
        ]

    def test_a_failed_post_is_retried_until_the_lms_takes_it(self, client, lms, registered, course):
        items = place(client, lms, "quiz:gradients")
        open_placed(client, lms, items["quiz:gradients"])
        client.post("/api/quizzes/gradients/attempts/", {"answers": one_wrong_answer(course)},
                    content_type="application/json")  # fmt: skip
        lms.fail_scores = 2
        send_score.apply(args=[Score.objects.get().pk])
        score = Score.objects.get()
        assert score.status == Score.Status.SENT and score.tries == 3
        assert [s["scoreGiven"] for s in lms.scores] == [0.0]

    def test_a_score_the_lms_keeps_refusing_waits_and_is_sent_later(self, client, lms, registered, course):
        items = place(client, lms, "quiz:gradients")
        open_placed(client, lms, items["quiz:gradients"])
        client.post("/api/quizzes/gradients/attempts/", {"answers": right_answers(course)},
                    content_type="application/json")  # fmt: skip
        lms.fail_scores = 1000
        send_score.apply(args=[Score.objects.get().pk])
        score = Score.objects.get()
        assert score.status == Score.Status.PENDING and "503" in score.last_error and not lms.scores
        client.logout()
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        page = client.get(reverse("lti_scores", args=[Course.objects.get().pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert "Waiting to be sent" in page.content.decode() and "gradebook busy" in page.content.decode()
        lms.fail_scores = 0
        with override_settings(LTI_RESEND_EVERY_S=0), eager():
            assert resend_waiting_scores.apply().get() == 1
        score.refresh_from_db()
        assert score.status == Score.Status.SENT and len(lms.scores) == 1
        page = client.get(reverse("lti_scores", args=[Course.objects.get().pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert "Sent" in page.content.decode() and "100 / 100" in page.content.decode()

    def test_a_passed_experiment_posts_full_marks(self, client, lms, registered, experiment):
        items = place(client, lms, "experiment:too-large-a-step")
        open_placed(client, lms, items["experiment:too-large-a-step"])
        learner = LtiUser.objects.get(sub="learner-1").auth_user
        prediction = Prediction.objects.create(owner=learner, experiment=experiment, value=0)
        job = Job.objects.create(
            owner=learner, lab="linear-regression", params={"lr": 3.0}, status="succeeded"
        )
        Submission.objects.create(owner=learner, experiment=experiment, prediction=prediction, jobs=[job.pk],
                                  passed=False)  # fmt: skip
        assert not Score.objects.exists()
        Submission.objects.create(owner=learner, experiment=experiment, prediction=prediction, jobs=[job.pk],
                                  passed=True)  # fmt: skip
        send_score.apply(args=[Score.objects.get().pk])
        assert [(s["scoreGiven"], s["scoreMaximum"]) for s in lms.scores] == [(100, 100)]

    def test_a_score_finds_or_makes_its_line_item_when_the_launch_named_none(
        self, client, lms, registered, course
    ):
        items = place(client, lms, "quiz:gradients")
        item = {**items["quiz:gradients"], "lineitem": None}
        lms.lineitems.clear()
        open_placed(client, lms, item)
        assert Placement.objects.get().lineitem_url == ""
        client.post("/api/quizzes/gradients/attempts/", {"answers": right_answers(course)},
                    content_type="application/json")  # fmt: skip
        send_score.apply(args=[Score.objects.get().pk])
        (made,) = lms.lineitems.values()
        assert made["resourceId"] == str(Placement.objects.get().resource_id)
        assert lms.scores[0]["lineitem"] == made["id"]

    def test_a_picker_without_a_choice_asks_again_and_a_response_is_made_once(
        self, client, lms, registered, course
    ):
        picker = launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR], message="LtiDeepLinkingRequest")
        launch_id = picker.context["launch_id"]
        empty = client.post(reverse("lti_deep_link"), {"launch": launch_id}, HTTP_ACCEPT_LANGUAGE="en")
        assert empty.status_code == 400 and "Choose at least one" in empty.content.decode()
        unknown = client.post(
            reverse("lti_deep_link"), {"launch": launch_id, "activity": "quiz:no-such-quiz"}
        )
        assert unknown.status_code == 400 and not Placement.objects.exists()
        assert (
            client.post(
                reverse("lti_deep_link"), {"launch": launch_id, "activity": "quiz:gradients"}
            ).status_code
            == 200
        )
        again = client.post(reverse("lti_deep_link"), {"launch": launch_id, "activity": "quiz:gradients"})
        assert again.status_code == 403 and Placement.objects.count() == 1


@pytest.mark.django_db
class RosterTests:
    def test_it_reads_the_roster_from_the_lms(self, client, lms, registered):
        launch(client, lms, sub="learner-gone", roles=[LEARNER])
        client.logout()
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        course = Course.objects.get()
        assert course.klass.learners.count() == 1  # who launched before the class was made is in it
        lms.members = [
            {"user_id": "teacher-1", "roles": [INSTRUCTOR], "status": "Active", "name": "Teacher"},
            {"user_id": "learner-1", "roles": [LEARNER], "status": "Active", "given_name": "Ada"},
            {"user_id": "learner-2", "roles": ["Learner"], "given_name": "Grace"},
            {"user_id": "learner-left", "roles": [LEARNER], "status": "Inactive"},
        ]
        answer = client.post(reverse("lti_roster", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)
        assert (
            "1 teachers, 2 learners; 1 no longer listed by the LMS, kept in the class"
            in answer.content.decode()
        )
        names = sorted(user.first_name for user in course.klass.learners.all())
        assert names == ["Ada", "Grace", "Learner-Gone"]  # whom the LMS no longer lists keeps their place
        course.refresh_from_db()
        assert course.roster_synced_at is not None

    def test_an_empty_roster_changes_nothing(self, client, lms, registered):
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        client.logout()
        launch(client, lms, sub="learner-1", roles=[LEARNER])
        client.logout()
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        course = Course.objects.get()
        answer = client.post(reverse("lti_roster", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)
        assert "empty roster; nothing was changed" in answer.content.decode()
        assert course.klass.learners.count() == 1

    def test_a_learner_cannot_see_the_scores_page_or_read_the_roster(self, client, lms, registered):
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        client.logout()
        launch(client, lms, sub="learner-1", roles=[LEARNER])
        course = Course.objects.get()
        assert client.get(reverse("lti_scores", args=[course.pk])).status_code == 403
        assert client.post(reverse("lti_roster", args=[course.pk])).status_code == 403
        assert course.roster_synced_at is None


@pytest.mark.django_db
class ScopeTests:
    def test_an_lms_that_grants_no_score_scope_is_sent_none(self, client, lms, registered, course):
        items = place(client, lms, "quiz:gradients")
        no_ags = {
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [],
                "lineitems": f"{lms.url}/lineitems",
            }
        }
        launch(
            client,
            lms,
            sub="learner-1",
            roles=[LEARNER],
            **{LTI + "custom": items["quiz:gradients"]["custom"]},
            **no_ags,
        )
        client.post("/api/quizzes/gradients/attempts/", {"answers": right_answers(course)},
                    content_type="application/json")  # fmt: skip
        assert not Score.objects.exists()
