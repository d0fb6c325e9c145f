"""Where a returning learner picks up: the section they were reading, the run that ended while they were away,
the quiz not passed yet, the experiment predicted and not checked; a passed quiz completes its lesson."""

import pytest

from lessons.models import Lesson, LessonProgress, Reading
from quizzes.models import Attempt
from quizzes.tests.test_attempts import right_answers, submit
from trainer.models import Job

READING = "/api/courses/test-course/lessons/gradients/reading/"


@pytest.mark.django_db
class ReadingTests:
    def test_it_keeps_the_section_a_learner_reached_with_its_heading_from_the_lesson(
        self, client, course, student
    ):
        client.force_login(student)
        lesson = Lesson.objects.get(slug="gradients")
        answer = client.post(READING, {"section": "the-update-rule"}, content_type="application/json")
        assert answer.status_code == 204, answer.content
        assert Reading.objects.get(user=student, lesson=lesson).heading == 1
        # Read in English, continued in Chinese: the same section, by its Chinese id and words.
        page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert f'href="{lesson.get_absolute_url()}#更新规则"' in page and "更新规则" in page
        assert client.post(READING, {"section": "小结"}, content_type="application/json").status_code == 204
        assert Reading.objects.get(user=student, lesson=lesson).heading == 2

    def test_a_section_the_lesson_does_not_have_is_refused_and_nothing_kept(self, client, course, student):
        client.force_login(student)
        for section in ("no-such-heading", '"><script>', "x" * 201, 7, None):
            answer = client.post(READING, {"section": section}, content_type="application/json")
            assert answer.status_code == 400, section
        assert not Reading.objects.exists()

    def test_a_visitor_keeps_no_reading(self, client, course):
        answer = client.post(READING, {"section": ""}, content_type="application/json")
        assert answer.status_code in (401, 403)


@pytest.mark.django_db
class NextStepsTests:
    def test_a_new_learner_is_offered_the_first_lesson(self, client, course, student):
        client.force_login(student)
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Pick up where you left off" in page and "Start: Gradient descent" in page

    def test_a_returning_learner_is_taken_back_to_their_section_their_run_and_their_quiz(
        self, client, course, student
    ):
        client.force_login(student)
        lesson = Lesson.objects.get(slug="gradients")
        Reading.objects.create(user=student, lesson=lesson, heading=1)
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status=Job.Status.RUNNING)
        wrong = {k: "99" for k in list(right_answers(course))[:1]}
        assert submit(client, wrong).status_code == 201
        page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f'href="{lesson.get_absolute_url()}#the-update-rule"' in page
        assert "Continue reading: Gradient descent" in page and "The update rule" in page
        assert f"Your run #{job.pk} (Linear regression) is training" in page
        assert f'/labs/linear-regression/?run={job.pk}"' in page
        assert "Pass the quiz:" in page and "best so far 0%" in page

    def test_a_passed_quiz_completes_its_lesson_and_leaves_the_list(self, client, course, student):
        client.force_login(student)
        assert submit(client, right_answers(course)).status_code == 201
        assert LessonProgress.objects.filter(user=student, lesson__slug="gradients").exists()
        page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Pass the quiz:" not in page

    def test_an_attempt_with_no_answer_at_all_is_refused_and_not_recorded(self, client, course, student):
        client.force_login(student)
        answer = submit(client, {})
        assert answer.status_code == 400
        assert "Answer at least one question" in str(answer.json())
        assert not Attempt.objects.exists()
