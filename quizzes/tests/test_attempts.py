"""Taking a quiz through the API: no answers before submitting, grading on the server, limits, feedback."""

import pytest

from quizzes.models import Answer, Attempt, Question, Quiz, Response


def quiz_json(client, lang="en"):
    return client.get("/api/quizzes/gradients/", HTTP_ACCEPT_LANGUAGE=lang).json()


def by_name(quiz):
    return {q.name: q for q in Quiz.objects.get(slug="gradients").questions.prefetch_related("answers")}


def submit(client, answers, lang="en"):
    return client.post(
        "/api/quizzes/gradients/attempts/",
        {"answers": answers},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def right_answers(course) -> dict:
    q = by_name(course)
    direction = next(a for a in q["direction"].answers.all() if a.weight == 100)
    true = next(a for a in q["diverge"].answers.all() if a.weight == 100)
    sgd, adam = [a.pk for a in q["optimisers"].answers.all() if a.weight > 0]
    return {
        str(q["gd-step"].pk): "1.6",
        str(q["direction"].pk): direction.pk,
        str(q["diverge"].pk): true.pk,
        str(q["optimisers"].pk): [sgd, adam],
        str(q["relu-name"].pk): " ＲｅＬＵ ",
    }


def one_wrong_answer(course) -> dict:
    """An attempt that answers one question, wrongly: scores 0 %."""
    return {str(by_name(course)["gd-step"].pk): "99"}


@pytest.mark.django_db
class QuizApiTests:
    def test_the_quiz_never_carries_its_answers(self, client, course):
        body = quiz_json(client)
        text = str(body)
        assert len(body["questions"]) == 5
        for secret in ("weight", "feedback", "explanation", "1.6", "That makes the loss grow", "tolerance"):
            assert secret not in text
        page = client.get("/quizzes/gradients/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "That makes the loss grow" not in page and "1.6" not in page

    def test_right_answers_score_full_marks_with_full_width_and_spaces_ignored(self, client, course, student):
        client.force_login(student)
        response = submit(client, right_answers(course))
        assert response.status_code == 201
        body = response.json()
        assert body["percent"] == 100 and body["score"] == 5
        assert all(q["fraction"] == 1 for q in body["questions"])
        assert Attempt.objects.get().user == student

    def test_feedback_explanations_and_partial_credit_come_after_submitting(self, client, course):
        q = by_name(course)
        wrong = next(a for a in q["direction"].answers.all() if a.weight == 0 and a.feedback_md_en)
        relu = next(a for a in q["optimisers"].answers.all() if a.weight < 0)
        sgd = next(a for a in q["optimisers"].answers.all() if a.text_md_en == "SGD")
        body = submit(
            client,
            {str(q["direction"].pk): wrong.pk, str(q["optimisers"].pk): [sgd.pk], str(q["gd-step"].pk): "2"},
        ).json()
        results = {r["id"]: r for r in body["questions"]}
        direction = results[q["direction"].pk]
        assert (
            direction["fraction"] == 0
            and "That makes the loss grow" in direction["option_feedback"][str(wrong.pk)]
        )
        assert "negative gradient" in direction["explanation_html"]
        assert results[q["optimisers"].pk]["fraction"] == 0.5
        assert (
            results[q["gd-step"].pk]["fraction"] == 0
            and results[q["gd-step"].pk]["correct_answers"][0]["text_html"] == "1.6 ± 0.001"
        )
        assert relu.pk not in [a["id"] for a in results[q["optimisers"].pk]["correct_answers"]]

    def test_an_anonymous_reader_can_try_without_anything_kept_for_them(self, client, course):
        response = submit(client, right_answers(course))
        assert response.status_code == 201 and response.json()["percent"] == 100
        assert response.json()["id"] is None and response.json()["answers_shown"]
        assert not Attempt.objects.exists() and not Response.objects.exists()

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda q: {str(q["direction"].pk): 999999}, "no option 999999"),
            (lambda q: {str(q["direction"].pk): "first"}, "by its id"),
            (lambda q: {str(q["gd-step"].pk): "one point six"}, "is not a number"),
            (lambda q: {str(q["gd-step"].pk): "NaN"}, "is not a number"),
            (lambda q: {str(q["relu-name"].pk): 42}, "as text"),
            (lambda q: {"123456": 1}, "no question 123456"),
            (lambda q: {str(q["diverge"].pk): [a.pk for a in q["diverge"].answers.all()]}, "only one"),
        ],
    )
    def test_a_malformed_answer_gets_a_400_and_nothing_is_saved(self, client, course, student, make, message):
        client.force_login(student)
        response = submit(client, make(by_name(course)))
        assert response.status_code == 400
        assert message in str(response.json())
        assert not Attempt.objects.exists() and not Response.objects.exists()

    def test_a_questions_error_sits_under_answers_by_its_id(self, client, course):
        """One field for the answers' problems, as DRF nests a field's errors: a client finds them in one place,
        never beside `code`."""
        step = by_name(course)["gd-step"]
        body = submit(client, {str(step.pk): "one point six"}).json()
        assert set(body) == {"answers", "code"}
        assert list(body["answers"]) == [str(step.pk)]
        assert "is not a number" in body["answers"][str(step.pk)][0]

    def test_answers_that_are_not_an_object_are_refused(self, client, course):
        assert submit(client, ["a"]).status_code == 400
        assert (
            client.post("/api/quizzes/gradients/attempts/", "[]", content_type="application/json").status_code
            == 400
        )

    def test_attempts_beyond_the_limit_are_refused(self, client, course, student):
        Quiz.objects.filter(slug="gradients").update(max_attempts=2)
        client.force_login(student)
        assert submit(client, one_wrong_answer(course)).json()["attempts_left"] == 1
        assert submit(client, one_wrong_answer(course)).json()["attempts_left"] == 0
        third = submit(client, one_wrong_answer(course))
        assert third.status_code == 403 and "used all 2 attempts" in third.json()["detail"]
        assert Attempt.objects.count() == 2

    def test_a_student_sees_only_their_own_attempts(self, client, course, student, other_student):
        client.force_login(other_student)
        theirs = submit(client, one_wrong_answer(course)).json()["id"]
        client.force_login(student)
        assert client.get(f"/api/attempts/{theirs}/").status_code == 404
        assert client.get("/api/attempts/").json() == []


@pytest.mark.django_db
class ProgressTests:
    def test_the_dashboard_shows_the_best_score(self, client, course, student):
        client.force_login(student)
        submit(client, one_wrong_answer(course))
        submit(client, right_answers(course))
        submit(client, one_wrong_answer(course))
        html = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<strong>100%</strong>" in html

    def test_staff_see_the_most_frequent_wrong_answer(self, client, course, staff, django_user_model):
        q = by_name(course)
        for n, given in enumerate(["2.4", "2.4", "2.4", "1.6"]):
            client.force_login(django_user_model.objects.create_user(f"learner{n}"))
            submit(client, {str(q["gd-step"].pk): given})
        client.force_login(staff)
        html = client.get("/quizzes/gradients/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "2.4" in html and "(×3)" in html and "25%" in html

    def test_staff_read_wrong_matches_and_formulas_as_the_learners_saw_them(
        self, client, staff, django_user_model
    ):
        """The statistics show an option's or an item's stored HTML (formulas typeset), never Markdown, TeX,
        ids or a Python repr."""
        quiz = Quiz.objects.create(slug="stats", title_en="Stats")
        choice = Question.objects.create(quiz=quiz, name="choice", kind="single", text_md_en="Which?")
        wrong = Answer.objects.create(question=choice, text_md_en="\\(x^2\\)", weight=0)
        Answer.objects.create(question=choice, text_md_en="\\(x\\)", weight=100)
        matching = Question.objects.create(quiz=quiz, name="match", kind="matching", text_md_en="Match")
        item = Answer.objects.create(question=matching, text_md_en="**ReLU**", match_text="max(0, x)")
        Answer.objects.create(question=matching, text_md_en="Sigmoid", match_text="1/(1+e^-x)")
        client.force_login(django_user_model.objects.create_user("learner"))
        body = {"answers": {str(choice.pk): wrong.pk, str(matching.pk): {str(item.pk): "1/(1+e^-x)"}}}
        assert (
            client.post("/api/quizzes/stats/attempts/", body, content_type="application/json").status_code
            == 201
        )
        client.force_login(staff)
        html = client.get("/quizzes/stats/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<math" in html and "\\(x^2\\)" not in html  # typeset (MathML), not the TeX source
        assert "<strong>ReLU</strong> → 1/(1+e^-x)" in html
        assert f"{item.pk}=" not in html and "**ReLU**" not in html

    def test_students_cannot_see_the_statistics(self, client, course, student):
        client.force_login(student)
        assert client.get("/quizzes/gradients/stats/").status_code == 302


@pytest.mark.django_db
class EssayRatingTests:
    def test_a_student_rates_their_essay_and_nonsense_changes_nothing(self, client, course, student):
        quiz = Quiz.objects.get(slug="gradients")
        essay = quiz.questions.create(kind="essay", name="explain", text_md="Explain gradient descent.")
        client.force_login(student)
        attempt = submit(client, {**right_answers(course), str(essay.pk): "Walk downhill."}).json()["id"]

        def rate(question, fraction):
            body = {"question": question, "fraction": fraction}
            return client.post(f"/api/attempts/{attempt}/rate/", body, content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip

        for question, fraction in (
            (essay.pk, 2),
            (-(10**24), 1),
            ("x", 1),
            (by_name(course)["diverge"].pk, 1),
        ):
            assert rate(question, fraction).status_code == 400
        assert Response.objects.get(question=essay).fraction in (None, 0)
        assert rate(essay.pk, 0.5).status_code == 200
        assert Response.objects.get(question=essay).fraction == 0.5
