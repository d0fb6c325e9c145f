"""Teachers create classes; learners join with the link or code, see what the teacher will see, and leave."""

import pytest
from django.urls import reverse

from classes.models import Class, Membership


@pytest.mark.django_db
class ClassCreateTests:
    def test_it_lets_a_teacher_create_a_class_with_a_join_code(self, client, teacher):
        client.force_login(teacher)
        response = client.post(reverse("classes"), {"name": "  Year 11   AI "})
        made = Class.objects.get()
        assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
        assert made.name == "Year 11 AI" and made.teacher == teacher and len(made.code) == 8
        page = client.get(made.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert made.code in page and f"/classes/join/{made.code}/" in page

    def test_it_lets_staff_teach(self, client, staff):
        client.force_login(staff)
        client.post(reverse("classes"), {"name": "Staff class"})
        assert Class.objects.filter(teacher=staff).exists()

    def test_it_refuses_a_learner_who_is_not_a_teacher(self, client, student):
        client.force_login(student)
        response = client.post(reverse("classes"), {"name": "Mine"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403 and "Only teachers can create a class" in response.content.decode()
        assert not Class.objects.exists()
        assert "Create the class" not in client.get(reverse("classes")).content.decode()

    def test_it_refuses_an_empty_or_long_name_in_the_readers_language(self, client, teacher):
        client.force_login(teacher)
        response = client.post(reverse("classes"), {"name": "   "}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 400 and "给班级起个名字" in response.content.decode()
        assert client.post(reverse("classes"), {"name": "x" * 101}).status_code == 400
        assert not Class.objects.exists()


@pytest.mark.django_db
class JoinTests:
    def test_it_says_what_the_teacher_will_see_before_joining(self, client, student, teacher):
        made = Class.objects.create(name="Year 11 AI", teacher=teacher)
        client.force_login(student)
        page = client.get(made.join_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "What your teacher will see" in page and "Your quiz attempts" in page
        assert not Membership.objects.exists()  # looking is not joining

    def test_it_joins_by_link_and_by_code_in_any_case(self, client, student, teacher):
        made = Class.objects.create(name="Year 11 AI", teacher=teacher)
        client.force_login(student)
        found = client.get(
            reverse("class_find"), {"code": f" {made.code.lower()[:4]} {made.code.lower()[4:]} "}
        )
        assert found.status_code == 302 and found["Location"] == made.join_url()
        assert client.post(made.join_url()).status_code == 302
        assert client.post(made.join_url()).status_code == 302  # twice is once
        assert list(made.learners.all()) == [student]
        assert "Year 11 AI" in client.get(reverse("classes")).content.decode()

    def test_a_learner_can_be_in_several_classes(self, client, student, teacher, other_teacher):
        first = Class.objects.create(name="Morning", teacher=teacher)
        second = Class.objects.create(name="Evening", teacher=other_teacher)
        client.force_login(student)
        client.post(first.join_url())
        client.post(second.join_url())
        assert set(student.classes_joined.all()) == {first, second}

    def test_it_answers_a_wrong_code_with_a_message_and_nothing_stored(self, client, student):
        client.force_login(student)
        response = client.get(reverse("class_find"), {"code": "NOPE1234"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "No class has this code" in response.content.decode()
        assert client.get(reverse("class_join", args=["NOPE1234"])).status_code == 404
        assert not Membership.objects.exists()

    def test_a_join_link_asks_a_visitor_to_log_in_first(self, client, teacher):
        made = Class.objects.create(name="Year 11 AI", teacher=teacher)
        response = client.get(made.join_url())
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_teacher_cannot_join_their_own_class(self, client, teacher):
        made = Class.objects.create(name="Year 11 AI", teacher=teacher)
        client.force_login(teacher)
        assert client.post(made.join_url()).status_code == 400
        assert not Membership.objects.exists()


@pytest.mark.django_db
class LeaveTests:
    def test_it_lets_a_learner_leave_and_the_teacher_then_sees_nothing(self, client, student, teacher, klass):
        client.force_login(student)
        assert client.post(reverse("class_leave", args=[klass.pk])).status_code == 302
        assert not klass.learners.exists()
        client.force_login(teacher)
        assert client.get(reverse("class_learner", args=[klass.pk, student.pk])).status_code == 404

    def test_it_is_404_to_leave_a_class_one_is_not_in(self, client, student, other_class):
        client.force_login(student)
        assert client.post(reverse("class_leave", args=[other_class.pk])).status_code == 404
        assert other_class.learners.count() == 1

    def test_the_dashboard_links_to_my_classes(self, client, student):
        client.force_login(student)
        assert reverse("classes") in client.get(reverse("dashboard")).content.decode()
