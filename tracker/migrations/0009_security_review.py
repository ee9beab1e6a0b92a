from django.db import migrations, models

import tracker.validators


def keep_existing_all_body_keys(apps, schema_editor):
    # Before this flag an empty list meant "every body": keep those keys working as they did.
    ApiClient = apps.get_model("tracker", "ApiClient")
    ApiClient.objects.filter(bodies__isnull=True).update(all_bodies=True)


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0008_date_basis"),
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
        # Text fields refuse control characters (tracker/validators.py): validators only, no schema change.
        migrations.AlterField(
            model_name='activity',
            name='description',
            field=models.TextField(blank=True, validators=[tracker.validators.NoControlCharacters(multiline=True)], verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='description_ru',
            field=models.TextField(blank=True, validators=[tracker.validators.NoControlCharacters(multiline=True)], verbose_name='description (Russian)'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='external_id',
            field=models.CharField(blank=True, help_text="The activity's key in that system.", max_length=100, validators=[tracker.validators.NoControlCharacters()], verbose_name='external id'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='external_source',
            field=models.CharField(blank=True, help_text='The other system this activity comes from.', max_length=50, validators=[tracker.validators.NoControlCharacters()], verbose_name='external source'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='location',
            field=models.CharField(blank=True, max_length=200, validators=[tracker.validators.NoControlCharacters()], verbose_name='location'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='title',
            field=models.CharField(max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='title_ru',
            field=models.CharField(blank=True, max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title (Russian)'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='description',
            field=models.TextField(blank=True, validators=[tracker.validators.NoControlCharacters(multiline=True)], verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='description_ru',
            field=models.TextField(blank=True, validators=[tracker.validators.NoControlCharacters(multiline=True)], verbose_name='description (Russian)'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='external_id',
            field=models.CharField(blank=True, help_text="The activity's key in that system.", max_length=100, validators=[tracker.validators.NoControlCharacters()], verbose_name='external id'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='external_source',
            field=models.CharField(blank=True, help_text='The other system this activity comes from.', max_length=50, validators=[tracker.validators.NoControlCharacters()], verbose_name='external source'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='location',
            field=models.CharField(blank=True, max_length=200, validators=[tracker.validators.NoControlCharacters()], verbose_name='location'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='title',
            field=models.CharField(max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='title_ru',
            field=models.CharField(blank=True, max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title (Russian)'),
        ),
        migrations.AlterField(
            model_name='historicalmilestone',
            name='title',
            field=models.CharField(max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalmilestone',
            name='title_ru',
            field=models.CharField(blank=True, max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title (Russian)'),
        ),
        migrations.AlterField(
            model_name='milestone',
            name='title',
            field=models.CharField(max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='milestone',
            name='title_ru',
            field=models.CharField(blank=True, max_length=300, validators=[tracker.validators.NoControlCharacters()], verbose_name='title (Russian)'),
        ),
        migrations.AlterField(
            model_name='apiclient',
            name='name',
            field=models.CharField(max_length=100, unique=True, validators=[tracker.validators.NoControlCharacters()], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='name',
            field=models.CharField(max_length=100, validators=[tracker.validators.NoControlCharacters()], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='webhooksubscription',
            name='secret',
            field=models.CharField(default=tracker.models.integration.new_webhook_secret, help_text='Shared with the receiver, which uses it to check the signature.', max_length=128, validators=[tracker.validators.NoControlCharacters()], verbose_name='secret'),
        ),
    ]
