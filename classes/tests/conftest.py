"""People and things of a class: a teacher (granted the role, not staff), another teacher, their classes."""

import pytest
from django.contrib.auth.models import Permission

from classes.models import Class, Membership


@pytest.fixture
def teacher(django_user_model):
    """A teacher: an admin gave them the permission to teach; they are not staff."""
    user = django_user_model.objects.create_user("teacher", password="correct horse 4")
    user.user_permissions.add(Permission.objects.get(codename="teach", content_type__app_label="classes"))
    return user


@pytest.fixture
def other_teacher(django_user_model):
    """Another teacher, whose class the first must never see."""
    user = django_user_model.objects.create_user("other-teacher", password="correct horse 5")
    user.user_permissions.add(Permission.objects.get(codename="teach", content_type__app_label="classes"))
    return user


@pytest.fixture
def klass(teacher, student):
    """The teacher's class, with the student in it."""
    made = Class.objects.create(name="Year 11 AI", teacher=teacher)
    Membership.objects.create(klass=made, learner=student)
    return made


@pytest.fixture
def other_class(other_teacher, other_student):
    """Another teacher's class, with the other student in it."""
    made = Class.objects.create(name="Evening course", teacher=other_teacher)
    Membership.objects.create(klass=made, learner=other_student)
    return made
