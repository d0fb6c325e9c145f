"""Each language's version of a page has an address a crawler can follow (`?lang=`), and every page names
them (`hreflang`), its plain address as `x-default`, and its own address (`canonical`)."""

import re

import pytest
from django.urls import reverse

MIDDLEWARE = "core.languages.LanguageFromAddress"
LESSON = reverse("lesson", args=["test-course", "gradients"])
PAGES = [
    "/",
    LESSON,
    reverse("course", args=["test-course"]),
    reverse("concept", args=["gradient-descent"]),
    reverse("concept_map"),
    reverse("faq"),
    reverse("quiz", args=["gradients"]),
    reverse("labs"),
    reverse("lab", args=["linear-regression"]),
    reverse("login"),
]


@pytest.fixture(autouse=True)
def language_from_address(settings):
    """The middleware, right after Django's LocaleMiddleware, as config/settings.py lists it."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("django.middleware.locale.LocaleMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = middleware


def links(html: str) -> dict[str, str]:
    """hreflang -> href of the page's alternates, and "canonical" -> its canonical address."""
    found = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    assert len(canonical) == 1
    return {**found, "canonical": canonical[0]}


@pytest.mark.django_db
class LanguageAddressTests:
    @pytest.mark.parametrize("url", PAGES)
    def test_every_page_names_its_versions_and_each_serves_its_language_to_a_crawler(
        self, client, course, url
    ):
        """A crawler sends no cookie and no Accept-Language."""
        named = links(client.get(url).content.decode())
        origin = "http://testserver"
        assert named == {
            "zh-hans": f"{origin}{url}?lang=zh-hans",
            "en": f"{origin}{url}?lang=en",
            "x-default": f"{origin}{url}",
            "canonical": f"{origin}{url}",
        }
        for language in ("zh-hans", "en"):
            response = client.get(named[language].removeprefix(origin))
            assert response.status_code == 200
            assert f'<html lang="{language}">' in response.content.decode()
            assert response["Content-Language"] == language
            assert links(response.content.decode())["canonical"] == named[language]

    def test_the_address_wins_over_the_cookie_and_the_browser(self, client, course):
        client.cookies["django_language"] = "zh-hans"
        html = client.get(LESSON + "?lang=en", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert '<html lang="en">' in html and "Gradient descent" in html

    @pytest.mark.parametrize("asked", ["fr", "", "x" * 300, "../zh-hans", "zh-hans\n"])
    def test_a_language_the_platform_does_not_speak_is_ignored(self, client, course, asked):
        response = client.get(LESSON, {"lang": asked}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and '<html lang="en">' in response.content.decode()

    @pytest.mark.parametrize("asked", ["zh-Hans", "zh_hans", "ZH-HANS", "zh-cn"])
    def test_a_way_of_writing_a_language_that_it_speaks_is_read(self, client, course, asked):
        html = client.get(LESSON, {"lang": asked}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="zh-hans">' in html

    def test_the_language_switch_returns_to_the_page_without_the_address_language(self, client, course):
        html = client.get(reverse("search") + "?q=gradient&lang=en").content.decode()
        assert '<input name="next" type="hidden" value="/search/?q=gradient">' in html
        switched = client.post(
            reverse("set_language"), {"language": "zh-hans", "next": "/search/?q=gradient"}
        )
        assert switched["Location"] == "/search/?q=gradient"

    def test_a_page_with_a_bad_host_still_answers_400(self, client, settings):
        assert client.get("/", HTTP_HOST="evil.example").status_code == 400
