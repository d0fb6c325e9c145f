"""Lesson, course, concept, concept map and FAQ pages are one document for every reader: the same bytes, an ETag, a 304,
no query once kept; every change that alters a page renames it. The reader's own part comes from /api/me/."""

import gzip

import pytest
from django.urls import reverse

from conftest import call, in_front_of_django
from core.documents import DocumentFront, bump_content_version
from lessons.models import Concept, ConceptRelation, FaqEntry, FaqRating, LessonProgress
from quizzes.models import Question, Quiz

LESSON = reverse("lesson", args=["test-course", "gradients"])
PAGES = [
    LESSON,
    reverse("course", args=["test-course"]),
    reverse("concept", args=["gradient-descent"]),
    reverse("faq"),
    reverse("quiz", args=["gradients"]),
    reverse("concept_map"),
]


def get(client, url: str, **headers):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)


@pytest.mark.django_db
class DocumentTests:
    @pytest.mark.parametrize("url", PAGES)
    def test_it_is_the_same_document_for_every_reader(self, client, course, student, other_student, url):
        LessonProgress.objects.create(user=student, lesson=course.lessons.get(slug="gradients"))
        anonymous = get(client, url)
        client.force_login(student)
        signed_in = get(client, url)
        client.force_login(other_student)
        other = get(client, url)
        assert anonymous.status_code == signed_in.status_code == 200
        assert anonymous.content == signed_in.content == other.content
        html = signed_in.content.decode()
        assert "student" not in html and "csrfmiddlewaretoken" not in html
        assert "csrftoken" not in signed_in.cookies and "sessionid" not in signed_in.cookies
        assert signed_in["ETag"] == anonymous["ETag"]
        assert signed_in["Cache-Control"] == "public, no-cache"
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in signed_in["Vary"].split(",")}

    @pytest.mark.parametrize("url", PAGES)
    def test_a_browser_that_has_it_gets_a_304(self, client, course, url):
        etag = get(client, url)["ETag"]
        again = get(client, url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again["ETag"] == etag and not again.content
        assert get(client, url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200

    def test_with_redis_down_the_page_still_reads_and_is_kept_nowhere(self, client, course, monkeypatch):
        import redis

        from core import documents

        monkeypatch.setattr(
            documents.redis_clients, "client", lambda: redis.Redis(port=1, socket_connect_timeout=0.2)
        )
        response = get(client, LESSON)
        assert response.status_code == 200 and "Gradient" in response.content.decode()
        assert response["Cache-Control"] == "no-store" and not response.has_header("ETag")

    def test_the_languages_are_two_documents(self, client, course):
        english, chinese = get(client, LESSON), client.get(LESSON, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert english["ETag"] != chinese["ETag"] and english.content != chinese.content

    def test_a_lesson_that_does_not_exist_is_a_404_for_everyone(self, client, course, student):
        url = reverse("lesson", args=["test-course", "no-such-lesson"])
        assert get(client, url).status_code == 404
        client.force_login(student)
        assert get(client, url).status_code == 404


@pytest.mark.django_db
class RenamingTests:
    """Every change that alters a page changes its ETag, and the page shows it at once (the rename happens
    when the change is committed: `committed` runs what waits for the commit)."""

    @pytest.fixture
    def committed(self, django_capture_on_commit_callbacks):
        return lambda: django_capture_on_commit_callbacks(execute=True)

    def test_attaching_a_quiz_shows_it_on_the_next_load(self, client, course, committed):
        lesson = course.lessons.get(slug="convolution")
        url = lesson.get_absolute_url()
        before = get(client, url)
        assert "Check yourself" not in before.content.decode()
        with committed():
            Quiz.objects.create(slug="conv-quiz", title_en="Convolution quiz", lesson=lesson)
        after = get(client, url)
        assert after["ETag"] != before["ETag"] and "conv-quiz" in after.content.decode()

    def test_editing_a_quiz_renames_the_page(self, client, course, committed):
        quiz = Quiz.objects.get(lesson__slug="gradients")
        before = get(client, LESSON)["ETag"]
        quiz.title_en = "A new title"
        with committed():
            quiz.save()
        assert get(client, LESSON)["ETag"] != before

    def test_editing_a_question_renames_the_quiz_page_and_the_lesson_page(self, client, course, committed):
        quiz_page = reverse("quiz", args=["gradients"])
        before = [get(client, url)["ETag"] for url in (quiz_page, LESSON)]
        question = Question.objects.get(quiz__slug="gradients", name="direction")
        question.text_md_en = "Where does the negative gradient point?"
        with committed():
            question.save()
        after = [get(client, url) for url in (quiz_page, LESSON)]
        assert all(page["ETag"] != etag for page, etag in zip(after, before, strict=True))
        assert all("Where does the negative gradient point?" in page.content.decode() for page in after)

    def test_a_new_translation_shows_at_once(self, client, course, committed):
        before = get(client, LESSON)["ETag"]
        lesson = course.lessons.get(slug="gradients")
        lesson.title_en = "Gradients, revised"
        with committed():
            lesson.save()
        after = get(client, LESSON)
        assert after["ETag"] != before and "Gradients, revised" in after.content.decode()

    def test_a_new_concept_relation_shows_on_the_concept_page(self, client, course, committed):
        url = reverse("concept", args=["gradient-descent"])
        before = get(client, url)
        target = Concept.objects.create(slug="loss", term_en="Loss function", definition_en="d")
        with committed():
            ConceptRelation.objects.create(source=Concept.objects.get(slug="gradient-descent"), target=target)
        after = get(client, url)
        assert after["ETag"] != before["ETag"] and "Loss function" in after.content.decode()

    def test_changing_a_lessons_labs_renames_the_page(self, client, course, committed):
        before = get(client, LESSON)
        lesson = course.lessons.get(slug="gradients")
        lesson.labs = ["linear-regression"]
        with committed():
            lesson.save()
        after = get(client, LESSON)
        assert after["ETag"] != before["ETag"] and 'data-lab="linear-regression"' in after.content.decode()

    def test_a_new_experiment_renames_the_lesson_page(self, client, course, committed):
        from experiments.models import Experiment

        before = get(client, LESSON)["ETag"]
        with committed():
            Experiment.objects.create(
                slug="steps", lesson=course.lessons.get(slug="gradients"), lab="linear-regression",
                title_en="Steps", predict_en="?", instructions_md_en="Run it.", explanation_md_en="Because.",
                prediction_kind="number",
            )  # fmt: skip
        assert get(client, LESSON)["ETag"] != before

    def test_a_re_import_renames_every_page(self, client, course, committed):
        from conftest import FIXTURE_COURSE
        from lessons.content import import_course

        before = [get(client, url)["ETag"] for url in PAGES]
        with committed():
            import_course(FIXTURE_COURSE)  # changes nothing, and is still a new version
        assert all(get(client, url)["ETag"] != etag for url, etag in zip(PAGES, before, strict=True))


@pytest.mark.django_db
class MeTests:
    def test_an_anonymous_reader_gets_a_csrf_token_and_nothing_else(self, client):
        response = client.get(reverse("api-me"))
        body = response.json()
        assert body["user"] is None and body["completed"] == {} and body["faq_ratings"] == {}
        assert body["csrf_token"] and "csrftoken" in response.cookies
        assert response["Cache-Control"] == "private, no-store"

    def test_a_student_gets_their_name_their_progress_and_their_ratings(
        self, client, course, student, other_student
    ):
        entry = FaqEntry.objects.first()
        LessonProgress.objects.create(user=student, lesson=course.lessons.get(slug="gradients"))
        FaqRating.objects.create(user=student, entry=entry, rating=3)
        LessonProgress.objects.create(user=other_student, lesson=course.lessons.get(slug="convolution"))
        client.force_login(student)
        body = client.get(reverse("api-me")).json()
        assert body["user"] == {"username": "student", "is_staff": False}
        assert body["completed"] == {"test-course": ["gradients"]}
        assert body["faq_ratings"] == {entry.slug: 3}


@pytest.mark.django_db(transaction=True)
class DocumentFrontTests:
    """The server keeps each document Django answers and serves it again without entering Django."""

    @pytest.fixture
    def front(self, course):
        return in_front_of_django(DocumentFront)

    def test_a_kept_document_is_served_again_without_django(self, front):
        status, headers, body = call(front, LESSON)
        assert status == 200 and b"x-document-version" not in headers
        again = call(front, LESSON)
        assert again == (status, headers, body) and front.reached == [LESSON]
        assert b"content-security-policy" in headers  # as Django's middleware made it

        status, not_modified, body = call(front, LESSON, if_none_match=headers[b"etag"].decode())
        assert status == 304 and not body and not_modified[b"etag"] == headers[b"etag"]
        assert front.reached == [LESSON]

    def test_a_new_content_version_goes_to_django_again(self, front):
        call(front, LESSON)
        bump_content_version()
        call(front, LESSON)
        assert front.reached == [LESSON, LESSON]

    def test_a_browser_that_accepts_gzip_gets_the_same_page_compressed(self, front):
        _status, plain_headers, plain = call(front, LESSON)
        status, headers, packed = call(front, LESSON, accept_encoding="gzip, deflate, br")
        assert status == 200 and headers[b"content-encoding"] == b"gzip"
        assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 3
        assert headers[b"etag"] != plain_headers[b"etag"] and b"Accept-Encoding" in headers[b"vary"]
        assert call(front, LESSON, accept_encoding="gzip", if_none_match=headers[b"etag"].decode())[0] == 304
        assert b"content-encoding" not in call(front, LESSON, accept_encoding="gzip;q=0")[1]
        assert front.reached == [LESSON]

    def test_with_redis_down_the_front_leaves_the_page_to_django(self, front, monkeypatch):
        import redis.asyncio

        from core import documents

        call(front, LESSON)
        monkeypatch.setattr(
            documents.redis_clients,
            "async_client",
            lambda: redis.asyncio.Redis(port=1, socket_connect_timeout=0.2),
        )
        monkeypatch.setattr(
            documents.redis_clients, "client", lambda: redis.Redis(port=1, socket_connect_timeout=0.2)
        )
        assert call(front, LESSON)[0] == 200
        assert front.reached == [LESSON, LESSON]

    def test_it_keeps_no_more_than_its_budget_letting_the_least_recently_read_go(self, front):
        course, concept = PAGES[1], PAGES[2]
        for path in (LESSON, course, concept):
            call(front, path)
        front.budget_bytes = front.kept_bytes - 1  # one of the three has to go
        front.kept.clear()
        front.kept_bytes = 0
        for path in (LESSON, course, LESSON, concept):  # the lesson read again: the course is the oldest read
            call(front, path)
        assert [key[-2] for key in front.kept] == [LESSON, concept]
        assert front.kept_bytes == sum(kept.size for kept in front.kept.values()) <= front.budget_bytes
        call(front, course)
        assert front.reached == [LESSON, course, concept, LESSON, course, concept, course]

    def test_a_response_that_sets_a_cookie_is_never_kept(self):
        reached = []

        async def django(scope, receive, send) -> None:
            reached.append(scope["path"])
            headers = [(b"x-document-version", b"v"), (b"etag", b'"e"'), (b"set-cookie", b"sessionid=mine")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"a page for one reader"})

        front = DocumentFront(django)
        call(front, LESSON)
        call(front, LESSON)
        assert reached == [LESSON, LESSON] and not front.kept

    def test_each_language_is_kept_apart(self, front):
        english = call(front, LESSON)[2]
        chinese = call(front, LESSON, accept_language="zh-hans")[2]
        by_cookie = call(front, LESSON, cookie="django_language=zh-hans")[2]
        assert english != chinese == by_cookie and front.reached == [LESSON, LESSON]

    def test_each_host_and_scheme_is_kept_apart(self, front, settings):
        """A page names its own address (its canonical and language links), so the same path on another
        host, or behind a proxy that says HTTPS, is another page."""
        settings.ALLOWED_HOSTS = ["127.0.0.1", "learn.example"]
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        local = call(front, LESSON)[2]
        named = call(front, LESSON, host="learn.example")[2]
        secure = call(front, LESSON, host="learn.example", x_forwarded_proto="https")[2]
        assert b'href="http://127.0.0.1/courses/test-course/gradients/"' in local
        assert b'href="http://learn.example/courses/test-course/gradients/"' in named
        assert b'href="https://learn.example/courses/test-course/gradients/"' in secure
        assert call(front, LESSON, host="learn.example")[2] == named and len(front.reached) == 3

    def test_what_django_would_answer_otherwise_goes_to_django(self, front, settings):
        call(front, LESSON)
        assert call(front, LESSON, host="evil.example")[0] == 400  # Django's answer to a bad host
        call(front, LESSON, query="utm=1")
        assert front.reached == [LESSON] * 3

    def test_an_answer_that_is_not_a_page_is_never_kept(self):
        """Production redirects plain HTTP to HTTPS: Django never answers that address with a page, so nothing
        is kept for it (the front has no rule of its own about HTTPS)."""
        reached = []

        async def django(scope, receive, send) -> None:
            reached.append(scope["path"])
            headers = [(b"x-document-version", b"v"), (b"location", b"https://127.0.0.1" + LESSON.encode())]
            await send({"type": "http.response.start", "status": 301, "headers": headers})
            await send({"type": "http.response.body", "body": b""})

        front = DocumentFront(django)
        assert [call(front, LESSON)[0] for _ in range(2)] == [301, 301]
        assert reached == [LESSON, LESSON] and not front.kept
