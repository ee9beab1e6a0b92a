"""Participation records: the plain participating-states table becomes the Participation model (same table,
same rows), with a role, a level of representation, confirmation and a note. Existing rows become
participants; each activity's lead state becomes its lead. Non-member states become observers."""

import django.db.models.deletion
from django.db import migrations, models


def observers_and_leads(apps, schema_editor):
    MemberState = apps.get_model("tracker", "MemberState")
    Activity = apps.get_model("tracker", "Activity")
    Participation = apps.get_model("tracker", "Participation")
    # Dialogue partners already take part in activities: they keep doing so as observers or partners.
    MemberState.objects.filter(is_member=False).update(is_observer=True)
    for activity_id, state_id in Activity.objects.exclude(lead_state=None).values_list("pk", "lead_state_id"):
        Participation.objects.update_or_create(
            activity_id=activity_id, memberstate_id=state_id, defaults={"role": "lead"}
        )


def forget_leads(apps, schema_editor):
    """Going back, the plain list has no roles: the rows stay as they are, as participating states."""


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0011_sources"),
    ]

    operations = [
        migrations.AddField(
            model_name="memberstate",
            name="is_observer",
            field=models.BooleanField(
                default=False, help_text="A non-member that may take part in activities: an observer or dialogue partner.",
                verbose_name="observer or partner",
            ),
        ),
        # The table exists (the many-to-many's own): describe it as a model without touching the database.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Participation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("activity", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="participations", to="tracker.activity", verbose_name="activity")),
                        ("memberstate", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="participations", to="tracker.memberstate", verbose_name="state")),
                    ],
                    options={
                        "verbose_name": "participation",
                        "verbose_name_plural": "participations",
                        "db_table": "tracker_activity_participating_states",
                        "ordering": ["activity", "memberstate"],
                    },
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="participating_states",
                    field=models.ManyToManyField(blank=True, related_name="activities", through="tracker.Participation", to="tracker.memberstate", verbose_name="participating states"),
                ),
                # The table's unique (activity, state) index exists already.
                migrations.AddConstraint(
                    model_name="participation",
                    constraint=models.UniqueConstraint(fields=("activity", "memberstate"), name="participation_one_per_state"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="participation",
            name="role",
            field=models.CharField(choices=[("host", "Host"), ("lead", "Lead"), ("co_organiser", "Co-organiser"), ("participant", "Participant"), ("observer", "Observer"), ("declined", "Declined")], default="participant", max_length=20, verbose_name="role"),
        ),
        migrations.AddField(
            model_name="participation",
            name="level",
            field=models.CharField(blank=True, choices=[("head_of_state", "Head of state"), ("minister", "Minister"), ("deputy", "Deputy minister"), ("expert", "Expert")], max_length=20, verbose_name="level of representation"),
        ),
        migrations.AddField(
            model_name="participation",
            name="confirmed",
            field=models.BooleanField(default=False, verbose_name="confirmed"),
        ),
        migrations.AddField(
            model_name="participation",
            name="note",
            field=models.CharField(blank=True, max_length=300, verbose_name="note"),
        ),
        migrations.RunPython(observers_and_leads, forget_leads),
    ]
