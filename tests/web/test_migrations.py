from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ogi.web.ledger.models import Agency


def test_models_and_migrations_agree(db) -> None:  # type: ignore[no-untyped-def]
    # A model field without its migration would break every fresh installation.
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_agency_keeps_level_and_printed_names() -> None:
    a = Agency.objects.create(name="淮安市洪泽区人民政府", code="HZQ", kind="government", level="county",
                              aliases=["洪泽区人民政府", "洪泽区政府"])
    a.refresh_from_db()
    assert (a.level, a.get_level_display(), a.aliases) == ("county", "县级", ["洪泽区人民政府", "洪泽区政府"])
