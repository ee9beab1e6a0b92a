"""factory_boy factories: valid agenda objects with the fewest decisions a test has to make."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from tracker.models import (
    Activity,
    ApiClient,
    Body,
    Commitment,
    MemberState,
    Milestone,
    Presidency,
    Priority,
    Role,
    Source,
    StaffProfile,
)


class MemberStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberState
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda o: f"State {o.code}")
    is_member = True


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"body-{n}")
    name = factory.LazyAttribute(lambda o: f"Body {o.code}")
    kind = Body.Kind.OTHER
    contact_emails = factory.LazyAttribute(lambda o: f"{o.code}@example.org")


class PresidencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presidency
        django_get_or_create = ("code",)

    code = "csto-2023-test"
    organisation = "Collective Security Treaty Organisation"
    chair_state = factory.SubFactory(MemberStateFactory, code="BY", name="Belarus")
    period_start = dt.date(2023, 1, 1)
    period_end = dt.date(2023, 12, 31)
    slogan = "Through solidarity and co-operation towards peace and security"


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ("presidency", "number")

    presidency = factory.SubFactory(PresidencyFactory)
    number = 1
    title = factory.LazyAttribute(lambda o: f"Priority {o.number}")
    order = factory.LazyAttribute(lambda o: o.number)


class ActivityFactory(factory.django.DjangoModelFactory):
    """Creates rows directly, as a fixture would; tests of writes call the services instead."""

    class Meta:
        model = Activity

    priority = factory.SubFactory(PriorityFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    kind = Activity.Kind.MEETING
    start_date = dt.date(2023, 2, 1)
    due_date = dt.date(2023, 6, 30)
    responsible_body = factory.SubFactory(BodyFactory)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    activity = factory.SubFactory(ActivityFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Step {n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("code",)

    code = "csc-2022-11-30"
    presidency = factory.SubFactory(PresidencyFactory)
    title = "Session of the Collective Security Council"
    published_on = dt.date(2022, 11, 30)
    publisher = "Press service"


class CommitmentFactory(factory.django.DjangoModelFactory):
    """Rows straight in the database; tests of writes call tracker/services/commitments.py."""

    class Meta:
        model = Commitment

    priority = factory.SubFactory(PriorityFactory)
    source = factory.SubFactory(SourceFactory, presidency=factory.SelfAttribute("..priority.presidency"))
    number = factory.Sequence(lambda n: n + 1)
    statement = factory.Sequence(lambda n: f"Commitment {n}")
    quote = "A number of joint exercises will be planned and carried out"
    passage = factory.Sequence(lambda n: n + 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pass-for-tests-2023")


def make_staff(username: str, role: str = Role.VIEWER, body: Body | None = None, *, is_staff: bool = True):
    """A user with a role on the agenda (and admin access unless is_staff is False)."""
    user = UserFactory(username=username, is_staff=is_staff)
    StaffProfile.objects.update_or_create(user=user, defaults={"role": role, "body": body})
    return get_user_model().objects.get(pk=user.pk)


def make_api_client(name: str, scope: str = ApiClient.Scope.WRITE, bodies: list[Body] | None = None, **extra):
    """An API client and its plain key (the key is only known at creation). Without bodies it writes every body."""
    extra.setdefault("all_bodies", not bodies)
    client = ApiClient(name=name, scope=scope, **extra)
    key = client.set_new_key()
    client.save()
    if bodies:
        client.bodies.set(bodies)
    return client, key
