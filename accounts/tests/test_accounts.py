import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse


@pytest.mark.django_db
class SignupTests:
    def test_it_creates_a_student_and_logs_them_in(self, client):
        response = client.post(
            reverse("signup"),
            {"username": "ada", "password1": "a long passphrase 9", "password2": "a long passphrase 9"},
        )
        assert response.status_code == 302
        user = get_user_model().objects.get(username="ada")
        assert not user.is_staff
        assert client.get(reverse("dashboard")).status_code == 200

    def test_mismatched_passwords_get_a_message_and_no_account(self, client):
        response = client.post(
            reverse("signup"),
            {"username": "ada", "password1": "a long passphrase 9", "password2": "another one 9"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert "didn’t match" in response.content.decode()
        assert not get_user_model().objects.exists()

    def test_it_never_redirects_off_site(self, client):
        response = client.post(
            reverse("signup") + "?next=https://evil.example/",
            {"username": "ada", "password1": "a long passphrase 9", "password2": "a long passphrase 9"},
        )
        assert response["Location"] == reverse("home")


@pytest.mark.django_db
class LoginTests:
    def test_a_student_logs_in_and_out(self, client, student):
        response = client.post(reverse("login"), {"username": "student", "password": "correct horse 1"})
        assert response.status_code == 302
        assert client.get(reverse("dashboard")).status_code == 200
        client.post(reverse("logout"))
        assert client.get(reverse("dashboard")).status_code == 302

    def test_a_wrong_password_is_refused_with_a_message(self, client, student):
        response = client.post(
            reverse("login"), {"username": "student", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert (
            response.status_code == 200
            and "Please enter a correct username and password" in response.content.decode()
        )

    def test_repeated_failed_logins_are_throttled(self, client, student, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": "student", "password": "nope"})
        response = client.post(reverse("login"), {"username": "student", "password": "correct horse 1"})
        assert response.status_code == 429
        assert client.get(reverse("dashboard")).status_code == 302

    def test_a_student_changes_their_password(self, client, student):
        client.force_login(student)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": "correct horse 1",
                "new_password1": "a new passphrase 7",
                "new_password2": "a new passphrase 7",
            },
        )
        assert response.status_code == 302
        student.refresh_from_db()
        assert student.check_password("a new passphrase 7")


@pytest.mark.django_db
class DashboardTests:
    def test_it_needs_a_login(self, client):
        assert client.get(reverse("dashboard")).status_code == 302
