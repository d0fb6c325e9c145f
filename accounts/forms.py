from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Preferences
from .names import look_alike


class SignupForm(UserCreationForm):
    """Usernames arrive NFKC-normalised (Django's UsernameField); one that looks like a learner's existing
    name is refused, and so is an email address another account has."""

    email = forms.EmailField(label=_("Email (optional, for resetting your password)"), required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self) -> str:
        username = super().clean_username()  # None when it differs from a name only in case (an error is set)
        if not username:
            return username
        names = list(get_user_model().objects.values_list("username", flat=True))
        if look_alike(username, names):
            raise forms.ValidationError(
                _("This name looks too much like an existing learner's. Please choose another."),
                code="look_alike",
            )
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Another account uses this email address."), code="email_taken")
        return email


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"), strip=False, max_length=4096, widget=forms.PasswordInput
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; the e-mail is written in the language the learner chose, if they chose one."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        language = Preferences.of(context["user"]).language or translation.get_language()
        with translation.override(language):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, **kwargs
            )
