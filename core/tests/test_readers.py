"""A signed-in reader's `/api/me/` is kept by the front and answered again without Django, and never once
anything it says has changed."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import call, in_front_of_django
from core.readers import PATH, ReaderFront, _moved_on
from lessons.models import LessonProgress


def signed_in(user) -> Client:
    """A browser signed in as `user`: its session and CSRF cookies, as a Cookie header."""
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)
    browser.get(reverse("api-me"))  # sets the CSRF cookie, as a page's first call does
    browser.cookie_header = "; ".join(
        f"{name}={morsel.value}" for name, morsel in browser.cookies.items() if morsel.value
    )
    return browser


def me(front, browser, **headers) -> dict:
    status, sent, body = call(front, PATH, cookie=browser.cookie_header, **headers)
    assert status == 200 and b"x-reader-keep" not in sent
    return json.loads(body)


@pytest.mark.django_db(transaction=True)
class ReaderFrontTests:
    @pytest.fixture
    def front(self):
        return in_front_of_django(ReaderFront)

    def test_a_readers_answer_is_kept_and_given_again_without_django(self, front, student):
        browser = signed_in(student)
        first = me(front, browser)
        assert first["user"]["username"] == "student"
        assert me(front, browser) == first and front.reached == [PATH]
        _status, headers, _body = call(front, PATH, cookie=browser.cookie_header)
        assert headers[b"cache-control"] == b"private, no-store" and b"content-security-policy" in headers

    def test_another_reader_never_gets_it(self, front, student, other_student):
        me(front, signed_in(student))
        assert me(front, signed_in(other_student))["user"]["username"] == "other"

    def test_a_lesson_completed_shows_at_once(self, front, student, course):
        browser = signed_in(student)
        assert me(front, browser)["completed"] == {}
        LessonProgress.objects.create(user=student, lesson=course.lessons.get(slug="gradients"))
        assert me(front, browser)["completed"] == {"test-course": ["gradients"]}

    def test_the_old_cookies_get_nobody_after_logging_out(self, front, student):
        browser = signed_in(student)
        old = browser.cookie_header
        me(front, browser)
        browser.post(reverse("logout"))
        _status, _headers, body = call(front, PATH, cookie=old)
        assert json.loads(body)["user"] is None

    def test_a_password_changed_elsewhere_ends_it(self, front, student):
        browser = signed_in(student)
        me(front, browser)
        student.set_password("a new one, set on another device")
        student.save()
        assert me(front, browser)["user"] is None

    def test_an_answer_made_before_a_change_is_never_served_after_it(self, front, student, course):
        from config.asgi import django_application

        browser = signed_in(student)

        async def changing_while_answering(scope, receive, send) -> None:
            await django_application(scope, receive, send)
            _moved_on(student.pk)  # a change committed while this answer was on its way

        me(ReaderFront(changing_while_answering), browser)
        me(front, browser)
        assert front.reached == [PATH]

    def test_a_waiting_notice_an_api_token_and_no_session_go_to_django(self, front, student):
        browser = signed_in(student)
        me(front, browser)
        call(front, PATH, cookie=browser.cookie_header + "; messages=waiting")
        call(front, PATH, cookie=browser.cookie_header, authorization="Token abc")
        call(front, PATH)
        call(front, PATH, cookie=browser.cookie_header, query="x=1")
        assert front.reached == [PATH] * 5

    def test_with_redis_down_django_answers(self, front, student, monkeypatch):
        import redis
        import redis.asyncio

        from core import readers

        browser = signed_in(student)
        me(front, browser)
        monkeypatch.setattr(
            readers.redis_clients,
            "async_client",
            lambda: redis.asyncio.Redis(port=1, socket_connect_timeout=0.2),
        )
        monkeypatch.setattr(
            readers.redis_clients, "client", lambda: redis.Redis(port=1, socket_connect_timeout=0.2)
        )
        assert me(front, browser)["user"]["username"] == "student"
        assert front.reached == [PATH, PATH]


@pytest.mark.django_db(transaction=True)
def test_an_answer_that_sets_a_new_cookie_is_never_kept(student):
    reached = []

    async def django(scope, receive, send) -> None:
        reached.append(scope["path"])
        headers = [
            (b"x-reader-keep", f"{student.pk} 0".encode()),
            (b"set-cookie", b"sessionid=another; Path=/"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    front, browser = ReaderFront(django), signed_in(student)
    call(front, PATH, cookie=browser.cookie_header)
    call(front, PATH, cookie=browser.cookie_header)
    assert reached == [PATH, PATH]
