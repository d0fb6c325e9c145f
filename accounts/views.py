from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language as django_set_language
from rest_framework.authtoken.models import Token

from core.errors import UserError, error_body
from core.throttles import throttle_writes
from exercises.selectors import progress as exercise_progress
from experiments.selectors import progress as experiment_progress
from lessons.selectors import courses_with_progress
from quizzes.selectors import best_scores
from trainer.catalog import LABS
from trainer.models import Job

from . import guesses, selectors, services
from .forms import AccountDeleteForm, SignupForm
from .models import Preferences
from .services import preferences_set
from .tokens import expires_at, tokens_revoke


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a paused log-in, the same on the form and on `POST /api/token/`: 429, one
    message, and when to try again (the whole pause: the failures that started it are not shown)."""
    message = _(
        "For your account's safety, logging in is paused for a few minutes. Please wait and try again."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(message, "locked_out"), status=429)
    else:
        response = render(request, "accounts/locked.html", {"message": message}, status=429)
    response["Retry-After"] = str(round(settings.AXES_COOLOFF_TIME * 3600))
    return response


@throttle_writes
@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    """A new student account; they are logged in at once and sent where they were going."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
        return redirect(next_url if safe else "home")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The learner's API token: when it was made, when it ends, and a button that revokes it."""
    if request.method == "POST":
        if tokens_revoke(user=request.user):
            messages.success(
                request, _("Your API token was revoked. Programs using it can no longer sign in.")
            )
        return redirect("tokens")
    found = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/tokens.html", {"token": found, "expires": found and expires_at(found)})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """A student's progress: lessons completed per course, quiz scores, guided experiments, training runs."""
    return render(
        request,
        "accounts/dashboard.html",
        {
            "courses": courses_with_progress(request.user),
            "scores": best_scores(request.user),
            "experiments": experiment_progress(request.user),
            "exercises": exercise_progress(request.user),
            "jobs": Job.objects.filter(owner=request.user).order_by("-created_at")[:20],
            "labs": LABS,
        },
    )


def data_download(user, fmt: str | None) -> HttpResponse:
    """Everything the platform holds about the learner: JSON, or with `fmt` "csv" a zip of one CSV per table."""
    tables = selectors.learner_data(user)
    name = f"{user.get_username()}-data"
    if fmt == "csv":
        response = HttpResponse(selectors.as_csv_zip(tables), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    else:
        response = HttpResponse(selectors.as_json(tables), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The learner's own data to take away (?format=csv for spreadsheets)."""
    return data_download(request.user, request.GET.get("format"))


@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Deleting the account and everything in it, once the learner confirms with their password."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except UserError as error:
            form.add_error("password", error.message)
        else:
            logout(request)
            messages.success(request, _("Your account and everything in it were deleted."))
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in learner's choice is also saved to their account (their pages on
    any device, their e-mails), but only from a form that carries their CSRF token: the switch itself takes
    none (pages are one document for every reader), and another site must not change an account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        csrf = CsrfViewMiddleware(lambda request: response)
        if csrf.process_view(request, None, (), {}) is None:  # None: the token is the learner's
            preferences_set(user=request.user, language=language)
    return response


class LoginView(auth_views.LoginView):
    """Django's log-in; the learner's saved language, if any, is theirs again from the first page after it."""

    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        language = Preferences.of(form.get_user()).language
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, with the old password's guesses limited like log-ins: AXES_FAILURE_LIMIT wrong ones pause
    the form for the log-in's pause (a stolen session cannot test passwords without end)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and guesses.password_change_paused(request.user)
        ):
            return locked_out(request)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password"):
            guesses.password_change_failed(self.request.user)
        return super().form_invalid(form)

    def form_valid(self, form):
        guesses.password_change_succeeded(self.request.user)
        return super().form_valid(form)
