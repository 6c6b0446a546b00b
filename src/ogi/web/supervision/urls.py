from __future__ import annotations

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/assign/", views.assign, name="assign"),
    path("queue/<int:pk>/discard/", views.discard, name="discard"),
    path("timeliness/", views.timeliness, name="timeliness_latest"),
    path("<int:year>/timeliness/", views.timeliness, name="timeliness"),
    path("<int:year>/urge/", views.urge, name="urge"),
    path("ranking/", views.ranking, name="ranking_latest"),
    path("<int:year>/ranking/", views.ranking, name="ranking"),
    path("benchmarks/", views.benchmarks, name="benchmarks_latest"),
    path("<int:year>/benchmarks/", views.benchmarks, name="benchmarks"),
    path("<int:year>/notice.<str:fmt>", views.notice, name="notice"),
    path("dataset.<str:fmt>", views.dataset, name="dataset"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/rectify/", views.rectify, name="rectify"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/items/<int:pk>/decide/", views.decide, name="decide"),
    path("tree/", views.tree, name="tree"),
    path("tree/<int:pk>/", views.tree_agency, name="tree_agency"),
    path("mine/", views.mine, name="mine"),
    path("mine/items/<int:pk>/explain/", views.explain, name="explain"),
    path("mine/<int:pk>/republish/", views.republish, name="republish"),
]
