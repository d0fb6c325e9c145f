from django.urls import path

from . import views

urlpatterns = [
    path("labs/", views.labs, name="labs"),
    path("labs/<slug:slug>/", views.lab, name="lab"),
]
