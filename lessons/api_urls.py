from django.urls import path

from . import api

urlpatterns = [
    path("courses/", api.courses, name="api-courses"),
    path("courses/<slug:slug>/", api.course, name="api-course"),
    path("courses/<slug:course_slug>/lessons/<slug:lesson_slug>/", api.lesson, name="api-lesson"),
    path(
        "courses/<slug:course_slug>/lessons/<slug:lesson_slug>/reading/",
        api.reading,
        name="api-lesson-reading",
    ),
    path("concepts/", api.concepts, name="api-concepts"),
    path("concepts/mastery/", api.mastery, name="api-concept-mastery"),
    path("concepts/<slug:slug>/", api.concept, name="api-concept"),
    path("faq/", api.faq, name="api-faq"),
    path("search/", api.search, name="api-search"),
]
