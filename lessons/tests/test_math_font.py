"""The math font a page downloads: the subset of STIX Two Math draws every character of the shipped course's
formulas, the stylesheet sends every other character of the font to the whole font, and the subset keeps the
bigger sizes and stretching pieces a formula needs."""

import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from fontTools.ttLib import TTFont

from lessons import mathfont
from lessons.content import import_course

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "ai-large-models"
COMMITTED_SUBSET = mathfont.SUBSET_FONT


@pytest.fixture(scope="module")
def shipped_course_characters(django_db_setup, django_db_blocker) -> set[str]:
    """Every character the formulas of the shipped course draw (lessons, concepts, FAQ, quizzes, experiments;
    both languages), the course imported once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        import_course(SHIPPED)
        found = mathfont.stored_characters()
        transaction.set_rollback(True)
    return found


def is_text(char: str) -> bool:
    """Chinese and full-width punctuation, which formulas hold only in \\text{…}: the system's fonts draw it."""
    return unicodedata.east_asian_width(char) in ("W", "F")


@pytest.mark.django_db
class MathFontTests:
    def test_the_subset_draws_every_character_of_the_shipped_course(self, shipped_course_characters):
        assert len(shipped_course_characters) > 150, "the course's formulas were found"
        full = mathfont.font_characters(mathfont.FULL_FONT)
        subset = mathfont.font_characters(mathfont.SUBSET_FONT)
        missing = sorted((shipped_course_characters & full) - subset)
        assert not missing, (
            f"the subset lacks {''.join(missing)!r}: run `manage.py import_course courses/ai-large-models` "
            "then `manage.py subset_math_font`, and commit the font and static/css/content.css"
        )
        not_in_font = sorted(c for c in shipped_course_characters - full if not is_text(c))
        assert not not_in_font, f"no glyph in STIX Two Math for {''.join(not_in_font)!r}"

    def test_the_subset_has_the_italic_letter_a_browser_draws_for_each_variable(self):
        subset = mathfont.font_characters(mathfont.SUBSET_FONT)
        for letter, drawn in [("x", "𝑥"), ("h", "ℎ"), ("N", "𝑁"), ("θ", "𝜃"), ("ϵ", "𝜖"), ("∂", "𝜕")]:
            assert mathfont.italic(letter) == drawn
            assert drawn in subset, drawn

    def test_the_stylesheet_sends_each_character_of_the_font_to_exactly_one_face(self):
        faces = mathfont.stylesheet_faces(mathfont.STYLESHEET.read_text(encoding="utf-8"))
        full = mathfont.font_characters(mathfont.FULL_FONT)
        subset = mathfont.font_characters(mathfont.SUBSET_FONT)
        assert faces[mathfont.SUBSET_FONT.name] == subset
        assert faces[mathfont.FULL_FONT.name] == full - subset
        assert "中" not in faces[mathfont.FULL_FONT.name], "Chinese never fetches the whole font"

    def test_the_subset_keeps_the_sizes_and_pieces_that_stretch(self):
        """A display-size ∑, a parenthesis around a fraction, a long radical: the MATH table's variants of
        each character the subset has, as many as the whole font has."""
        full, subset = TTFont(mathfont.FULL_FONT), TTFont(mathfont.SUBSET_FONT)

        def variants(font: TTFont, char: str) -> int:
            table = font["MATH"].table.MathVariants
            glyph = font.getBestCmap()[ord(char)]
            position = table.VertGlyphCoverage.glyphs.index(glyph)
            construction = table.VertGlyphConstruction[position]
            return construction.VariantCount + (construction.GlyphAssembly is not None)

        for char in "∑(⌊√[{":
            assert variants(subset, char) == variants(full, char) > 1, char
        assert subset["MATH"].table.MathConstants.FractionRuleThickness == (
            full["MATH"].table.MathConstants.FractionRuleThickness
        )


class SubsetCommandTests:
    @pytest.fixture
    def written_here(self, tmp_path, monkeypatch) -> Path:
        """The command writes into a copy of the stylesheet, not into static/."""
        stylesheet = tmp_path / "css" / "content.css"
        stylesheet.parent.mkdir()
        stylesheet.write_text(mathfont.STYLESHEET.read_text(encoding="utf-8"), encoding="utf-8")
        monkeypatch.setattr(mathfont, "STYLESHEET", stylesheet)
        monkeypatch.setattr(mathfont, "SUBSET_FONT", tmp_path / "STIXTwoMath-course.woff2")
        return tmp_path

    def test_it_adds_a_character_a_new_formula_uses(self, written_here, course):
        lesson = course.lessons.get(slug="gradients")
        lesson.body_md_en += "\n\nA Lie algebra $\\mathfrak g$ and the Weierstrass $\\wp$.\n"
        lesson.save()
        assert "𝔤" not in mathfont.font_characters(COMMITTED_SUBSET), "a character the subset did not have"
        call_command("subset_math_font", verbosity=0)
        added = mathfont.font_characters(mathfont.SUBSET_FONT)
        assert {"𝔤", "℘", "𝑥", "∑"} <= added
        faces = mathfont.stylesheet_faces(mathfont.STYLESHEET.read_text(encoding="utf-8"))
        assert faces[mathfont.SUBSET_FONT.name] == added
        assert "𝔤" not in faces[mathfont.FULL_FONT.name]
        assert mathfont.SUBSET_FONT.stat().st_size < 60_000

    def test_it_refuses_an_empty_database(self, written_here, db):
        with pytest.raises(CommandError, match="import a course first"):
            call_command("subset_math_font", verbosity=0)
        assert not mathfont.SUBSET_FONT.exists()
