"""A staff author who picks a file too large for the platform is told so on the import form, in the form's
words, not by a bare 413 page from in front of Django."""

import pytest
from playwright.sync_api import expect

from conftest import log_in
from quizzes.models import Quiz

pytestmark = pytest.mark.browser


class AdminImportTests:
    def test_a_file_over_the_request_limit_is_a_form_error(self, page, staff, settings):
        quiz = Quiz.objects.create(slug="bank", title_en="Bank")
        log_in(page, "author", "correct horse 3", admin=True)
        page.goto(f"/admin/quizzes/quiz/{quiz.pk}/import/")
        big = b"::q:: Sure? {T}\n" * (settings.MAX_REQUEST_BYTES // 16 + 1)
        refused = []
        page.on(
            "response", lambda response: refused.append(response.status) if response.status == 413 else None
        )
        file = page.locator("input[type=file]")
        file.set_input_files({"name": "bank.gift", "mimeType": "text/plain", "buffer": big})
        page.get_by_role("button", name="Import").click()
        expect(file).to_have_js_property("validationMessage", "The file is larger than 1 MB.")
        assert refused == [] and page.url.endswith(f"/admin/quizzes/quiz/{quiz.pk}/import/")
        assert not quiz.questions.exists()
