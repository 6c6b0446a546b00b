from django.db import migrations, models


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ogi.web.ledger import fulltext

    fulltext.install(schema_editor.connection)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ogi.web.ledger import fulltext

    fulltext.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    """The full-text index of the ledger (ledger/fulltext.py): a table kept in step by
    triggers, filled here from the requests and events already in the database."""

    dependencies = [("ledger", "0013_split_into_apps")]

    operations = [
        migrations.CreateModel(
            name="RequestText",
            fields=[
                ("request", models.OneToOneField(db_constraint=False, on_delete=models.deletion.DO_NOTHING, primary_key=True,
                                                 related_name="+", serialize=False, to="ledger.request")),
                ("agency_id", models.BigIntegerField()),
                ("body", models.TextField()),
                ("name", models.TextField()),
            ],
            options={"db_table": "ledger_requesttext", "managed": False},
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
