from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts.api import delete_me, me, my_data, preferences, token
from accounts.views import dashboard, set_language
from core.schema import SchemaView
from core.views import healthz, javascript_catalog, ping

handler400 = "core.views.bad_request"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # No CSRF token on the language switch: pages are one document for every reader, so their forms carry
    # none until the page's script has run, and switching the display language changes nothing of anyone's
    # (a signed-in learner's choice is saved to their account only when the form does carry their token).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/token/", token, name="api-token"),
    path("api/me/", me, name="api-me"),
    path("api/me/data/", my_data, name="api-me-data"),
    path("api/me/delete/", delete_me, name="api-me-delete"),
    path("api/me/preferences/", preferences, name="api-me-preferences"),
    path("api/", include("lessons.api_urls")),
    path("api/", include("quizzes.api_urls")),
    path("api/", include("trainer.api_urls")),
    path("api/", include("experiments.api_urls")),
    path("api/", include("exercises.api_urls")),
    path("", include("quizzes.urls")),
    path("", include("trainer.urls")),
    path("", include("experiments.urls")),
    path("", include("exercises.urls")),
    path("dashboard/", dashboard, name="dashboard"),
    path("classes/", include("classes.urls")),
    path("lti/", include("lti.urls")),
    path("", include("lessons.urls")),
]
