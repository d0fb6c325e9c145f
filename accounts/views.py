from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from experiments.selectors import progress as experiment_progress
from lessons.selectors import courses_with_progress
from quizzes.selectors import best_scores
from trainer.labs import LABS
from trainer.models import Job

from .forms import SignupForm


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
def dashboard(request: HttpRequest) -> HttpResponse:
    """A student's progress: lessons completed per course, quiz scores, guided experiments, training runs."""
    return render(
        request,
        "accounts/dashboard.html",
        {
            "courses": courses_with_progress(request.user),
            "scores": best_scores(request.user),
            "experiments": experiment_progress(request.user),
            "jobs": Job.objects.filter(owner=request.user).order_by("-created_at")[:20],
            "labs": LABS,
        },
    )
