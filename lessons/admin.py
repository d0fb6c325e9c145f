from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin

from . import rendering
from .forms import PreviewMixin
from .models import Concept, ConceptRelation, Course, FaqEntry, Lesson


@require_POST
@staff_member_required
def preview(request: HttpRequest) -> JsonResponse:
    source = request.POST.get("source", "")
    try:
        html = rendering.render(
            source, concepts=Concept.objects.indexes().get(request.POST.get("language", ""))
        )
    except rendering.MathError as error:
        return JsonResponse({"error": str(error)}, status=400)
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"html": html.html})


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ("order", "slug", "title", "status")
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(PreviewMixin, TranslationAdmin):
    list_display = ("title", "slug", "status", "order")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [LessonInline]

    def get_urls(self):
        return [
            path("preview/", self.admin_site.admin_view(preview), name="lessons_preview"),
            *super().get_urls(),
        ]


@admin.register(Lesson)
class LessonAdmin(PreviewMixin, TranslationAdmin):
    list_display = ("title", "course", "order", "status", "view_on_site_link")
    list_editable = ("order", "status")  # reorder lessons from the list
    list_filter = ("course", "status")
    search_fields = ("title_zh_hans", "title_en", "slug")
    ordering = ("course", "order")
    fields = (
        "course",
        "slug",
        "order",
        "status",
        "title",
        "summary",
        "body_md",
        "prerequisites",
        "tags",
        "labs",
    )

    @admin.display(description=_("page"))
    def view_on_site_link(self, lesson: Lesson) -> str:
        return format_html('<a href="{}">{}</a>', lesson.get_absolute_url(), _("open"))


class RelationInline(admin.TabularInline):
    model = ConceptRelation
    fk_name = "source"
    extra = 1
    autocomplete_fields = ("target",)


@admin.register(Concept)
class ConceptAdmin(PreviewMixin, TranslationAdmin):
    list_display = ("term", "slug")
    search_fields = ("term_zh_hans", "term_en", "slug")
    fields = ("slug", "term", "aliases", "definition", "body_md", "labs")
    inlines = [RelationInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(PreviewMixin, TranslationAdmin):
    list_display = ("question", "order", "slug")
    list_editable = ("order",)
    fields = ("course", "slug", "order", "question", "answer_md", "labs")
