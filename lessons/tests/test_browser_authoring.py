"""A staff author writes a lesson in the admin with a formula, code and a concept term, previews it, publishes
it; a student then finds it by a Chinese search, reads it with typeset math, follows the concept link and
marks it complete."""

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

pytestmark = pytest.mark.browser

BODY_EN = """## Why

One step of gradient descent:

$$
w \\leftarrow w - \\eta \\frac{\\partial L}{\\partial w}
$$

```python
w = w - lr * grad
```
"""
BODY_ZH = """## 为什么

梯度下降的一步：$w \\leftarrow w - \\eta g$。动量让更新更平滑。
"""


class AuthoringTests:
    def test_an_author_writes_previews_and_publishes_and_a_student_reads_it(
        self, page, browser, course, staff, student
    ):
        log_in(page, "author", "correct horse 3", admin=True)
        page.goto("/admin/lessons/lesson/add/")
        page.locator("#id_course").select_option(label="Test course")
        page.locator("#id_slug").fill("momentum")
        page.locator("#id_order").fill("3")
        page.locator("#id_title_zh_hans").fill("动量")
        page.locator("#id_title_en").fill("Momentum")
        page.locator("#id_body_md_zh_hans").fill(BODY_ZH)
        page.locator("#id_body_md_en").fill(BODY_EN)
        preview = page.locator(".field-body_md_en .md-preview")
        expect(preview.locator("math.tml-display")).to_be_visible()
        expect(preview.locator(".highlight")).to_be_visible()
        expect(preview.locator("a.concept-link")).to_have_text("gradient descent")
        page.locator("#id_body_md_en").fill(BODY_EN + "\nBroken $\\frac{1}{$ here.\n")
        expect(page.locator(".field-body_md_en .md-preview")).to_contain_text("math does not parse")
        page.locator("#id_body_md_en").fill(BODY_EN)
        screenshot(page, "admin-preview")
        page.locator("#id_status").select_option("published")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")

        reader = browser.new_context(base_url=page.base, locale="zh-CN").new_page()
        log_in(reader, "student", "correct horse 1")
        reader.goto("/search/?q=动量")
        reader.locator(".results a", has_text="动量").click()
        expect(reader.locator(".prose math").first).to_be_visible()
        reader.get_by_role("button", name="English").click()
        expect(reader.locator("math.tml-display")).to_be_visible()
        reader.locator(".prose a.concept-link").first.click()
        expect(reader).to_have_url(page.base + "/concepts/gradient-descent/")
        reader.go_back()
        reader.get_by_role("button", name="Mark as complete").click()
        expect(reader.get_by_text("You completed this lesson.")).to_be_visible()
        reader.goto("/courses/test-course/")
        expect(reader.get_by_text("1 of 3 lessons complete")).to_be_visible()
        reader.context.close()


@pytest.mark.django_db
class AdminValidationTests:
    def test_a_lesson_with_broken_math_is_not_saved_and_the_field_says_why(self, client, course, staff):
        from lessons.models import Lesson

        client.force_login(staff)
        response = client.post("/admin/lessons/lesson/add/", {
            "course": course.pk, "slug": "broken", "order": 9, "status": "draft", "title_zh_hans": "坏", "title_en": "Broken",
            "body_md_en": "Fine.\n\n$\\frac{1}{$\n", "prerequisites": "[]", "tags": "[]", "labs": "[]",
        }, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert response.status_code == 200 and "math does not parse" in response.content.decode()
        assert not Lesson.objects.filter(slug="broken").exists()
