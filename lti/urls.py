from django.urls import path

from . import views

urlpatterns = [
    path("jwks/", views.jwks, name="lti_jwks"),
    path("register/<str:token>/", views.register, name="lti_register"),
    path("login/", views.login, name="lti_login"),
    path("launch/", views.launch, name="lti_launch"),
    path("deep-link/", views.deep_link, name="lti_deep_link"),
    path("continue/<str:token>/", views.continue_, name="lti_continue"),
    path("courses/<int:pk>/", views.scores, name="lti_scores"),
    path("courses/<int:pk>/roster/", views.roster, name="lti_roster"),
]
