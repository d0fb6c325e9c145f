from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="classes"),
    path("join/", views.find, name="class_find"),
    path("join/<str:code>/", views.join, name="class_join"),
    path("<int:pk>/", views.detail, name="class"),
    path("<int:pk>/leave/", views.leave, name="class_leave"),
    path("<int:pk>/assignments/", views.assign, name="class_assign"),
    path("<int:pk>/learners/<int:learner_id>/", views.learner, name="class_learner"),
    path("<int:pk>/learners/<int:learner_id>/extensions/", views.extend, name="class_extend"),
    path("<int:pk>/learners/<int:learner_id>/quizzes/<slug:slug>/reset/", views.reset, name="class_reset"),
    path("<int:pk>/attempts/<int:attempt_id>/", views.attempt, name="class_attempt"),
    path("<int:pk>/submissions/<int:submission_id>/", views.submission, name="class_submission"),
    path("<int:pk>/runs/<int:job_id>/", views.run, name="class_run"),
    path("<int:pk>/quizzes/<slug:slug>/", views.quiz, name="class_quiz"),
    path("<int:pk>/wall/<slug:lab>/", views.wall, name="class_wall"),
    path("<int:pk>/wall/<slug:lab>/notes/", views.note, name="class_note"),
    path("notes/<slug:lab>/", views.notes, name="class_notes"),
    path("<int:pk>/experiments/<slug:slug>/", views.experiment, name="class_experiment"),
    path("<int:pk>/concepts/", views.concepts, name="class_concepts"),
    path("<int:pk>/gradebook.csv", views.gradebook_csv, name="class_gradebook"),
]
