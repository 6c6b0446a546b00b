from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:year>/", views.workspace, name="workspace"),
    path("reports/<int:year>/findings/", views.findings, name="findings"),
    path("reports/<int:year>/cells/<str:cell_id>/", views.cell, name="cell"),
    path("reports/<int:year>/cells/<str:cell_id>/override/", views.override, name="override"),
    path("reports/<int:year>/overview/redraft/", views.redraft, name="redraft"),
    path("reports/<int:year>/sections/<str:key>/", views.section, name="section"),
    path("reports/<int:year>/state/<str:event>/", views.state, name="report_state"),
    path("reports/<int:year>/export.<str:fmt>", views.export, name="export"),
    path("reports/<int:year>/previous/", views.upload_previous, name="upload_previous"),
    path("reports/<int:year>/figures/", views.import_figures, name="import_figures"),
    path("reports/<int:year>/template.xlsx", views.figures_template, name="figures_template"),
]
