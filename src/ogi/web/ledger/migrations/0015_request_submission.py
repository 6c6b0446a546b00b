from django.db import migrations, models


class Migration(migrations.Migration):
    """The form submission that registered a request: the same form sent twice registers one.
    A nullable column and a partial unique index: neither makes SQLite rebuild the table
    (which would break the full-text triggers on it)."""

    dependencies = [("ledger", "0014_fulltext")]

    operations = [
        migrations.AddField(
            model_name="request",
            name="submission",
            field=models.CharField(blank=True, editable=False, max_length=40, null=True),
        ),
        migrations.AddConstraint(
            model_name="request",
            constraint=models.UniqueConstraint(condition=models.Q(submission__isnull=False), fields=("submission",),
                                               name="ledger_request_submission_once"),
        ),
    ]
