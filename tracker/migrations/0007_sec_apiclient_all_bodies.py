from django.db import migrations, models


def keep_existing_all_body_keys(apps, schema_editor):
    # Before this flag an empty list meant "every body": keep those keys working as they did.
    ApiClient = apps.get_model("tracker", "ApiClient")
    ApiClient.objects.filter(bodies__isnull=True).update(all_bodies=True)


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0006_activity_priority_due_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="all_bodies",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Tick to let a write key change every body's activities; otherwise it may change only the "
                    "bodies listed below (none listed: nothing)."
                ),
                verbose_name="writes every body",
            ),
        ),
        migrations.AlterField(
            model_name="apiclient",
            name="bodies",
            field=models.ManyToManyField(
                blank=True,
                help_text="The bodies whose activities a write key may change, unless it writes every body.",
                related_name="api_clients",
                to="tracker.body",
                verbose_name="limited to bodies",
            ),
        ),
        migrations.RunPython(keep_existing_all_body_keys, migrations.RunPython.noop),
    ]
