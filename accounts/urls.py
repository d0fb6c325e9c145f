from django.contrib.auth import views as auth_views
from django.urls import path

from core.throttles import throttle_writes

from . import forms, views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        throttle_writes(auth_views.PasswordResetView.as_view(form_class=forms.PasswordResetForm)),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("data/", views.my_data, name="my_data"),
    path("delete/", views.account_delete, name="account_delete"),
]
