"""A learner answers Moodle's Cloze and a numerical question with units in the browser: a box, a menu and
buttons inside the text, a unit picked from a menu beside the number, graded as Moodle grades them; an image a
Moodle XML question carries shows."""

import pytest
from playwright.sync_api import expect

from quizzes import bank
from quizzes.models import Quiz
from quizzes.tests.test_moodle_images import IMAGES

pytestmark = pytest.mark.browser

BANK = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="cloze">
    <name><text>Loop</text></name>
    <questiontext format="html"><text><![CDATA[<p>The optimiser {2:SHORTANSWER:=Adam} uses a rate of
{1:NUMERICAL:=0.001:0.0005}; its loss is {1:MULTICHOICE:=cross-entropy~hinge}
and it keeps {1:MULTICHOICE_V:=moments~nothing}.</p>]]></text></questiontext>
  </question>
  <question type="numerical">
    <name><text>Distance</text></name>
    <questiontext format="html"><text>How far does light go in 1 ns?</text></questiontext>
    <answer fraction="100"><text>0.3</text><tolerance>0.01</tolerance></answer>
    <units>
      <unit><multiplier>1</multiplier><unit_name>m</unit_name></unit>
      <unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit>
    </units>
    <unitgradingtype>1</unitgradingtype><unitpenalty>0.5</unitpenalty><showunits>2</showunits>
  </question>
</quiz>
"""


class MoodleQuestionsInTheBrowserTests:
    def test_a_learner_fills_the_gaps_and_picks_a_unit(self, page, db):
        quiz = Quiz.objects.create(slug="moodle", title_en="Moodle", shuffle_options=False)
        bank.import_gift(quiz, BANK, "en")
        page.goto(f"/quizzes/{quiz.slug}/")
        questions = page.locator(".quiz .question")
        expect(questions).to_have_count(2)
        cloze = questions.nth(0)
        cloze.get_by_label("Gap 1").fill("adam")
        cloze.get_by_label("Gap 2").fill("0.0012")
        cloze.get_by_label("Gap 3").select_option(label="cross-entropy")
        cloze.get_by_label("moments").check()
        questions.nth(1).get_by_label("Your answer").fill("30")
        questions.nth(1).get_by_label("Unit").select_option("cm")
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("Your score: 100%")).to_be_visible()

        page.get_by_role("button", name="Try again").click()
        questions = page.locator(".quiz .question")
        questions.nth(0).get_by_label("Gap 1").fill("SGD")  # 2 of 5 marks lost
        questions.nth(0).get_by_label("Gap 2").fill("0.001")
        questions.nth(0).get_by_label("Gap 3").select_option(label="cross-entropy")
        questions.nth(0).get_by_label("moments").check()
        questions.nth(1).get_by_label("Your answer").fill("0.3")
        questions.nth(1).get_by_label("Unit").select_option("m")
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("Your score: 67%")).to_be_visible()  # the Cloze's 3 of 5 marks and 1 of 1

    def test_an_embedded_image_shows_in_the_question(self, page, db):
        """The image a Moodle XML question carries loads on the page (not a broken image): the browser fetches
        it from its address, within the page's Content-Security-Policy, and decodes it."""
        quiz = Quiz.objects.create(slug="pictures", title_en="Pictures")
        bank.import_gift(quiz, IMAGES, "en")
        page.goto(f"/quizzes/{quiz.slug}/")
        image = page.get_by_role("img", name="a dot")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1
