from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from lessons.forms import MarkdownForm, PreviewMixin

from . import bank, imports
from .models import Answer, ImportJob, Question, QuestionFile, Quiz

MAX_GIFT_BYTES = 1024 * 1024


class GiftUploadForm(forms.Form):
    # The page checks the size before sending (static/quizzes/import.js): a file over the platform's request
    # limit would otherwise be refused in front of Django with a bare 413 page instead of this form's error.
    file = forms.FileField(
        label=gettext_lazy("GIFT or Moodle XML file"),
        widget=forms.ClearableFileInput(
            attrs={
                "data-max-bytes": MAX_GIFT_BYTES,
                "data-too-large": gettext_lazy("The file is larger than 1 MB."),
            }
        ),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the file"), choices=settings.LANGUAGES)
    delete_missing = forms.BooleanField(
        label=gettext_lazy("Delete the questions missing from the file, with their learners' answers"),
        required=False,
        help_text=gettext_lazy(
            "Otherwise a question learners have answered is retired: kept with its answers and statistics, "
            "asked in no new attempt. The import's summary says how many answers a deletion would remove."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_GIFT_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class AnswerInline(TranslationTabularInline):
    model = Answer
    form = MarkdownForm
    fields = ("order", "text_md", "weight", "feedback_md", "match_text", "value", "tolerance", "low", "high")
    extra = 0


class QuestionFileInline(admin.TabularInline):
    """A question's images, as its Moodle XML file brought them: shown with the address a text refers to them
    by, never edited or deleted here (a text showing a deleted one would show a broken image); a re-import
    changes them."""

    model = QuestionFile
    fields = ("preview", "name", "content_type", "size", "address")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("image"))
    def preview(self, file: QuestionFile) -> str:
        return format_html('<img src="{}" alt="" style="max-height: 4em">', file.url)

    @admin.display(description=gettext_lazy("bytes"))
    def size(self, file: QuestionFile) -> int:
        return len(file.data)

    @admin.display(description=gettext_lazy("address in the texts"))
    def address(self, file: QuestionFile) -> str:
        return file.url


@admin.register(Question)
class QuestionAdmin(PreviewMixin, TranslationAdmin):
    list_display = ("name", "quiz", "kind", "order", "retired")
    list_filter = ("quiz", "kind", "retired")
    fields = (
        "quiz",
        "order",
        "name",
        "kind",
        "category",
        "points",
        "retired",
        "text_md",
        "hint_md",
        "explanation_md",
        "correct_feedback_md",
        "partial_feedback_md",
        "incorrect_feedback_md",
        "case_sensitive",
        "units",
        "unit_grading",
        "unit_penalty",
        "unit_display",
        "units_left",
    )
    inlines = [AnswerInline, QuestionFileInline]


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("order", "name", "kind", "retired")
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(TranslationAdmin):
    list_display = ("title", "slug", "lesson", "max_attempts", "links")
    fields = ("slug", "title", "lesson", "max_attempts", "shuffle_questions", "shuffle_options")
    inlines = [QuestionInline]

    @admin.display(description=gettext_lazy("links"))
    def links(self, quiz: Quiz) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">GIFT zh-hans</a> · <a href="{}">GIFT en</a>'
            ' · <a href="{}">XML zh-hans</a> · <a href="{}">XML en</a>',
            quiz.get_absolute_url(),
            _("preview"),
            reverse("quiz_stats", args=[quiz.slug]),
            _("statistics"),
            reverse("admin:quizzes_quiz_export", args=[quiz.pk, "zh-hans"]),
            reverse("admin:quizzes_quiz_export", args=[quiz.pk, "en"]),
            reverse("admin:quizzes_quiz_export", args=[quiz.pk, "zh-hans"]) + "?format=xml",
            reverse("admin:quizzes_quiz_export", args=[quiz.pk, "en"]) + "?format=xml",
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/import/", self.admin_site.admin_view(self.import_view), name="quizzes_quiz_import"
            ),
            path(
                "<int:pk>/import/<int:job>/",
                self.admin_site.admin_view(self.import_job_view),
                name="quizzes_quiz_import_job",
            ),
            path(
                "<int:pk>/export/<str:language>/",
                self.admin_site.admin_view(self.export_view),
                name="quizzes_quiz_export",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a GIFT or Moodle XML file into a quiz: all of it or nothing, with where the first problem is."""
        quiz = get_object_or_404(Quiz, pk=pk)
        form = GiftUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = imports.queue(
                quiz,
                form.cleaned_data["file"],
                form.cleaned_data["language"],
                request.user,
                delete_missing=form.cleaned_data["delete_missing"],
            )
            return redirect("admin:quizzes_quiz_import_job", quiz.pk, job.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "quiz": quiz,
            "opts": self.model._meta,
            "title": _("Import a GIFT or Moodle XML file into %(quiz)s") % {"quiz": quiz},
        }
        return render(request, "admin/quizzes/quiz/import.html", context, status=400 if form.errors else 200)

    def import_job_view(self, request: HttpRequest, pk: int, job: int) -> HttpResponse:
        """An import's progress while a worker runs it (the page reloads itself), then its summary and
        warnings, or why nothing was imported, with the form to try again."""
        found = imports.current(get_object_or_404(ImportJob, pk=job, quiz_id=pk))
        context = {
            **self.admin_site.each_context(request),
            "job": found,
            "quiz": found.quiz,
            "opts": self.model._meta,
            "form": GiftUploadForm(initial={"language": found.language})
            if found.status == "failed"
            else None,
            "import_url": reverse("admin:quizzes_quiz_import", args=[pk]),
            "title": _("Import into %(quiz)s") % {"quiz": found.quiz},
        }
        return render(request, "admin/quizzes/quiz/import_job.html", context)

    def export_view(self, request: HttpRequest, pk: int, language: str) -> HttpResponse:
        quiz = get_object_or_404(Quiz, pk=pk)
        if language not in dict(settings.LANGUAGES):
            return HttpResponse(_("Unknown language."), status=400)
        fmt = "xml" if request.GET.get("format") == "xml" else "gift"
        content_type = "application/xml" if fmt == "xml" else "text/plain"
        try:
            text = bank.export_gift(quiz, language, fmt)
        except bank.BankError as error:  # a question edited here that the format cannot hold
            messages.error(request, _("The quiz cannot be exported: %(reason)s") % {"reason": error.message})
            return redirect("admin:quizzes_quiz_change", quiz.pk)
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{quiz.slug}.{language}.{fmt}"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "import_url": reverse("admin:quizzes_quiz_import", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Past and running question-bank imports: who imported what into which quiz, and how it ended."""

    list_display = ("quiz", "user", "language", "status", "progress", "created_at", "finished_at")
    list_filter = ("status",)
    fields = ("quiz", "user", "language", "status", "done", "total", "message", "warnings", "created_at",
              "started_at", "finished_at")  # fmt: skip
    readonly_fields = fields

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, job: ImportJob) -> str:
        return format_html('<a href="{}">{}%</a>', reverse("admin:quizzes_quiz_import_job", args=[job.quiz_id, job.pk]),
                           imports.current(job).percent)  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False
