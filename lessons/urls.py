from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<slug:slug>/", views.course, name="course"),
    path("courses/<slug:course_slug>/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/complete/",
        views.lesson_complete,
        name="lesson_complete",
    ),
    path("concepts/", views.concepts, name="concepts"),
    path("concepts/map/", views.concept_map, name="concept_map"),
    path("concepts/<slug:slug>/", views.concept, name="concept"),
    path("faq/", views.faq, name="faq"),
    path("faq/<slug:slug>/rate/", views.faq_rate, name="faq_rate"),
    path("search/", views.search, name="search"),
]
