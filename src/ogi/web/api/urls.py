"""The API's routes: the ledger's and the supervising office's, in one OpenAPI document."""

from __future__ import annotations

from django.urls import path

from .base import api
from .ledger import router as ledger_router
from .supervision import router as supervision_router

api.add_router("", ledger_router)
api.add_router("/supervision/", supervision_router)

urlpatterns = [path("", api.urls)]
