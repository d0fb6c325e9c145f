"""Images embedded in Moodle XML (`@@PLUGINFILE@@/name` in a text, the bytes in a <file> beside it), as Moodle's
question bank exports them: stored, served at an address that never changes, written into the text, and
exported back as <file> elements. A reference without its file is a warning, never a broken image."""

import base64
import random
import struct
import zlib

import pytest

from lessons.models import Course, Lesson, Status
from quizzes import bank, moodle_xml
from quizzes.models import QuestionFile, Quiz
from quizzes.selectors import public_questions
from quizzes.tests import importing


def png(red: int = 255) -> bytes:
    """A real 1×1 PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(bytes([0, red, 0, 0]))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def bank_with(files: str, text: str = '<p>What is shown? <img src="@@PLUGINFILE@@/red%20dot.png" alt="a dot"></p>',
              feedback: str = "") -> str:  # fmt: skip
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Dot</text></name>
    <questiontext format="html"><text><![CDATA[{text}]]></text>{files}</questiontext>
    <generalfeedback format="html"><text><![CDATA[{feedback}]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text>red</text></answer>
    <answer fraction="0"><text><![CDATA[<img src="@@PLUGINFILE@@/other.gif" alt="">]]></text>
      <file name="other.gif" path="/" encoding="base64">{base64.b64encode(GIF).decode()}</file></answer>
  </question>
</quiz>
"""


def file_element(name: str, data: bytes) -> str:
    return f'<file name="{name}" path="/" encoding="base64">{base64.b64encode(data).decode()}</file>'


IMAGES = bank_with(file_element("red dot.png", png()))


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="pictures", title_en="Pictures")


@pytest.mark.django_db
class MoodleImageTests:
    def test_an_embedded_image_is_stored_and_shown_from_its_address(self, quiz, client):
        bank.import_gift(quiz, IMAGES, "en")
        question = quiz.questions.get()
        dot = question.files.get(name="red dot.png")
        assert (dot.content_type, bytes(dot.data)) == ("image/png", png())
        assert f'<img src="{dot.url}" alt="a dot">' in question.text_html_en
        assert "@@PLUGINFILE@@" not in question.text_html_en
        assert question.files.get(name="other.gif").url in question.answers.all()[1].text_html_en
        shown = public_questions(quiz, random.Random(1))[0]["text_html"]
        assert dot.url in shown

        response = client.get(dot.url)
        assert response.status_code == 200 and response.content == png()
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"

    def test_the_address_is_the_content_so_it_is_stable_and_changes_with_the_bytes(self, quiz):
        bank.import_gift(quiz, IMAGES, "en")
        first = quiz.questions.get().files.get(name="red dot.png").url
        assert bank.import_gift(quiz, IMAGES, "en").unchanged == 1  # a re-import changes nothing
        assert quiz.questions.get().files.get(name="red dot.png").url == first
        report = bank.import_gift(quiz, bank_with(file_element("red dot.png", png(red=0))), "en")
        assert len(report.updated) == 1
        question = quiz.questions.get()
        second = question.files.get(name="red dot.png").url
        assert second != first and second in question.text_html_en and first not in question.text_html_en

    def test_an_image_of_a_draft_quiz_is_served_to_staff_alone(self, quiz, client, staff):
        course = Course.objects.create(slug="c", title_en="C", status=Status.PUBLISHED)
        lesson = Lesson.objects.create(course=course, slug="l", title_en="L", status=Status.DRAFT)
        quiz.lesson = lesson
        quiz.save()
        bank.import_gift(quiz, IMAGES, "en")
        url = QuestionFile.objects.get(name="red dot.png").url
        assert client.get(url).status_code == 404
        client.force_login(staff)
        response = client.get(url)
        assert response.status_code == 200 and response["Cache-Control"].startswith("private")
        assert client.get(url.replace(".png", ".gif")).status_code == 404

    def test_a_reference_without_its_file_is_a_warning_not_a_broken_image(self, quiz):
        report = bank.import_gift(quiz, bank_with(""), "en")
        assert any("Dot" in warning and "red dot.png" in warning for warning in report.warnings)
        question = quiz.questions.get()
        assert "<img" not in question.text_html_en and "a dot" in question.text_html_en
        assert "PLUGINFILE" not in question.text_html_en

    @pytest.mark.parametrize(
        ("name", "data", "why"),
        [
            (
                "drawing.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                "SVG",
            ),
            ("fake.png", b"GIF8 not really an image", "not a PNG, JPEG, GIF or WebP"),
            ("huge.png", png() + b"\0" * 300_000, "at most 300,000 fit"),
        ],
        ids=["svg", "named-png-but-not", "too-large"],
    )
    def test_a_file_that_is_not_an_image_it_can_hold_is_refused_naming_the_question(
        self, quiz, name, data, why
    ):
        source = bank_with(file_element(name, data), text=f'<img src="@@PLUGINFILE@@/{name}">')
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, source, "en")
        assert "“Dot”" in caught.value.message and why in caught.value.message
        assert not quiz.questions.exists() and not QuestionFile.objects.exists()

    def test_an_image_told_by_its_bytes_not_its_name(self, quiz, client):
        """A GIF named .png is a GIF: served as image/gif."""
        source = bank_with(file_element("red dot.png", GIF))
        bank.import_gift(quiz, source, "en")
        url = QuestionFile.objects.get(name="red dot.png").url
        assert url.endswith(".gif") and client.get(url)["Content-Type"] == "image/gif"

    def test_the_images_of_one_import_are_limited_too(self, quiz):
        questions = "".join(
            bank_with(file_element(f"{n}.png", png() + bytes([n]) * 130_000), text=f"Q{n}")
            .split("<quiz>")[1]
            .split("</quiz>")[0]
            .replace("<text>Dot</text>", f"<text>Dot {n}</text>")
            for n in range(5)
        )
        source = f'<?xml version="1.0"?><quiz>{questions}</quiz>'
        with pytest.raises(bank.BankError, match=r"“Dot 4”.*600,000"):
            bank.import_gift(quiz, source, "en")

    def test_an_export_carries_the_images_back_as_files_and_imports_the_same(self, quiz):
        bank.import_gift(quiz, IMAGES, "en")
        exported = bank.export_gift(quiz, "en", "xml")
        assert "@@PLUGINFILE@@/red%20dot.png" in exported
        assert exported.count('<file name="red dot.png" path="/" encoding="base64">') == 1
        assert exported.count('<file name="other.gif" path="/" encoding="base64">') == 1
        parsed = moodle_xml.parse(exported)[0]
        assert parsed.files == {"red dot.png": png(), "other.gif": GIF}

        other = Quiz.objects.create(slug="copy", title_en="Copy")
        bank.import_gift(other, exported, "en")
        original, copy = quiz.questions.get(), other.questions.get()
        assert copy.text_html_en == original.text_html_en
        assert [a.text_html_en for a in copy.answers.all()] == [
            a.text_html_en for a in original.answers.all()
        ]
        assert {(f.name, f.digest) for f in copy.files.all()} == {
            (f.name, f.digest) for f in original.files.all()
        }
        assert bank.export_gift(other, "en", "xml") == exported

    def test_a_gift_reimport_keeps_the_images_its_text_shows(self, quiz, client):
        bank.import_gift(quiz, IMAGES, "en")
        gift_text = bank.export_gift(quiz, "en")
        bank.import_gift(quiz, gift_text, "en")
        question = quiz.questions.get()
        dot = question.files.get(name="red dot.png")
        assert dot.url in question.text_html_en and client.get(dot.url).status_code == 200


def test_an_anonymous_reader_never_gets_an_unknown_image(client, db):
    assert client.get("/quizzes/images/" + "0" * 64 + ".png").status_code == 404
    assert client.get("/quizzes/images/not-a-digest.png").status_code == 404


@pytest.mark.django_db
def test_the_admin_upload_stores_the_images_and_reports_a_missing_one(client, staff, quiz):
    client.force_login(staff)
    source = bank_with(file_element("red dot.png", png()), feedback='<img src="@@PLUGINFILE@@/gone.png">')
    page = importing.upload(client, quiz, source, name="bank.xml").content.decode()
    assert 'data-status="succeeded"' in page
    assert "gone.png" in page and "“Dot”" in page
    question = quiz.questions.get()
    assert sorted(question.files.values_list("name", flat=True)) == ["other.gif", "red dot.png"]
    assert "<img" not in question.explanation_html_en


@pytest.mark.django_db
def test_staff_see_a_questions_images_and_their_address_in_the_admin(client, staff, quiz):
    bank.import_gift(quiz, IMAGES, "en")
    question = quiz.questions.get()
    client.force_login(staff)
    page = client.get(f"/admin/quizzes/question/{question.pk}/change/").content.decode()
    dot = question.files.get(name="red dot.png")
    assert "red dot.png" in page and page.count(dot.url) >= 2 and "image/png" in page


@pytest.mark.django_db
def test_moodles_old_image_element_is_read_as_moodle_reads_it(quiz):
    """Moodle 1.x wrote <image> and <image_base64>; qformat_xml still stores the file and appends an <img>
    of it to the question text."""
    source = f"""<?xml version="1.0"?><quiz><question type="truefalse"><name><text>Old</text></name>
<questiontext format="html"><text>Is it red?</text></questiontext>
<image>pics/dot.png</image><image_base64>{base64.b64encode(png()).decode()}</image_base64>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>"""
    bank.import_gift(quiz, source, "en")
    question = quiz.questions.get()
    dot = question.files.get(name="pics_dot.png")
    assert question.text_html_en == f'Is it red? <img src="{dot.url}">'


@pytest.mark.django_db
def test_a_file_in_a_folder_is_found_and_written_back_in_it(quiz):
    folder = (
        '<file name="dot.png" path="/figures/" encoding="base64">'
        + base64.b64encode(png()).decode()
        + "</file>"
    )
    source = bank_with(folder, text="![a dot](@@PLUGINFILE@@/figures/dot.png)").replace(
        'format="html"><text><![CDATA[![', 'format="markdown"><text><![CDATA[!['
    )
    bank.import_gift(quiz, source, "en")
    question = quiz.questions.get()
    dot = question.files.get(name="figures/dot.png")
    assert question.text_html_en == f'<img alt="a dot" src="{dot.url}">'
    exported = bank.export_gift(quiz, "en", "xml")
    assert '<file name="dot.png" path="/figures/" encoding="base64">' in exported
    assert moodle_xml.parse(exported)[0].files["figures/dot.png"] == png()
