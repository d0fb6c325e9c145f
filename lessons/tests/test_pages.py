import pytest
from django.urls import reverse

from lessons.models import Lesson, LessonProgress, Status


def lesson_url(slug: str = "gradients") -> str:
    return reverse("lesson", args=["test-course", slug])


@pytest.mark.django_db
class HomeTests:
    def test_it_lists_published_courses(self, client, course):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "Test course" in response.content.decode()

    def test_it_speaks_chinese_by_default_and_english_on_request(self, client, course):
        assert "测试课程" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert "Test course" in client.get("/").content.decode()


@pytest.mark.django_db
class LessonPageTests:
    def test_it_shows_typeset_math_highlighted_code_and_concept_links(self, client, course):
        html = client.get(lesson_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'class="tml-display"' in html and "$$" not in html
        assert 'class="highlight"' in html
        assert 'href="/concepts/gradient-descent/"' in html
        assert 'rel="next"' in html and "Convolution" not in html.split('rel="next"')[0][-10:]

    def test_it_shows_a_visible_fallback_when_the_translation_is_missing(self, client, course):
        html = client.get(lesson_url("convolution"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "has not been translated into your language" in html
        assert "深度学习框架计算的是" in html

    def test_drafts_are_hidden_from_students_and_shown_to_staff(self, client, course, student, staff):
        Lesson.objects.filter(slug="convolution").update(status=Status.DRAFT)
        client.force_login(student)
        assert client.get(lesson_url("convolution")).status_code == 404
        client.force_login(staff)
        assert client.get(lesson_url("convolution")).status_code == 200

    def test_a_student_marks_a_lesson_complete_and_sees_the_progress(self, client, course, student):
        client.force_login(student)
        response = client.post(
            reverse("lesson_complete", args=["test-course", "gradients"]), {"complete": "1"}
        )
        assert response.status_code == 302
        assert LessonProgress.objects.filter(user=student, lesson__slug="gradients").exists()
        me = client.get(reverse("api-me")).json()
        assert me["completed"] == {"test-course": ["gradients"]}
        client.post(reverse("lesson_complete", args=["test-course", "gradients"]), {"complete": "0"})
        assert not LessonProgress.objects.exists()

    def test_marking_complete_needs_a_login(self, client, course):
        response = client.post(reverse("lesson_complete", args=["test-course", "gradients"]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not LessonProgress.objects.exists()


@pytest.mark.django_db
class ConceptPagesTests:
    def test_a_concept_page_shows_its_relations_and_lessons(self, client, course):
        html = client.get(
            reverse("concept", args=["gradient-descent"]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert "Learning rate" in html and "Gradient descent" in html
        assert lesson_url() in html


@pytest.mark.django_db
class SearchTests:
    def test_a_two_character_chinese_query_finds_the_convolution_lesson(self, client, course):
        response = client.get(reverse("search"), {"q": "卷积"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 200
        assert lesson_url("convolution") in html
        assert "<mark>卷积</mark>" in html

    def test_english_queries_ignore_case_and_find_faq_entries(self, client, course):
        html = client.get(
            reverse("search"), {"q": "LEARNING rate"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert "/faq/#choosing-learning-rate" in html and "/concepts/learning-rate/" in html

    def test_a_one_character_query_gets_a_clear_message(self, client, course):
        response = client.get(reverse("search"), {"q": "卷"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "at least 2 characters" in response.content.decode()


@pytest.mark.django_db
class FaqTests:
    def test_the_faq_lists_entries_as_self_check_cards(self, client, course):
        html = client.get(reverse("faq"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "How do I choose a learning rate?" in html and "Reveal the answer" in html

    def test_a_student_rates_themselves_and_a_bad_rating_changes_nothing(self, client, course, student):
        from lessons.models import FaqRating

        client.force_login(student)
        url = reverse("faq_rate", args=["choosing-learning-rate"])
        assert client.post(url, {"rating": "7"}, HTTP_ACCEPT_LANGUAGE="en").status_code == 400
        assert not FaqRating.objects.exists()
        assert client.post(url, {"rating": "3"}).status_code == 302
        assert FaqRating.objects.get().rating == 3


@pytest.mark.django_db
class TagTests:
    def test_a_lessons_tags_read_as_its_concepts_in_the_readers_language(self, client, course):
        Lesson.objects.filter(slug="gradients").update(tags=["gradient-descent", "optimisation"])
        page = client.get(lesson_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert '<a class="chip" href="/concepts/gradient-descent/">梯度下降</a>' in page
        assert '<span class="chip">optimisation</span>' in page  # no concept of that name: as it is
        outline = client.get("/courses/test-course/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<a class="chip" href="/concepts/gradient-descent/">Gradient descent</a>' in outline
