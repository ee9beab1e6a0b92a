# The presidency figures read an index-only range per priority (issue 18): activity_priority_status gains the
# columns the roll-ups, burn-up and board counts and first cards and timeline rows read (PostgreSQL INCLUDE; elsewhere the same plain index).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0023_people2_unwatch_and_email_state'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='activity',
            name='activity_priority_status',
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['priority', 'status'], include=('due_date', 'start_date', 'completed_date', 'progress', 'id'), name='activity_priority_figures'),
        ),
    ]
