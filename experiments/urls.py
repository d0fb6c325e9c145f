from django.urls import path

from . import views

urlpatterns = [
    path("experiments/", views.experiments, name="experiments"),
]
