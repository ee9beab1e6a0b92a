"""The presidency's short name in Russian: the header's presidency switch read "CSTO 2023" in Russian too."""

from django.db import migrations, models

#: Short names the agenda's organisations are known by in Russian; other rows stay blank (English shown).
KNOWN = {"CSTO": "ОДКБ"}


def fill_known(apps, schema_editor) -> None:
    Presidency = apps.get_model("tracker", "Presidency")
    for english, russian in KNOWN.items():
        Presidency.objects.filter(organisation_short=english, organisation_short_ru="").update(
            organisation_short_ru=russian)


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0024_coldpages_covering_figures_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="presidency",
            name="organisation_short_ru",
            field=models.CharField(blank=True, max_length=20, verbose_name="short name (Russian)"),
        ),
        migrations.RunPython(fill_known, migrations.RunPython.noop),
    ]
