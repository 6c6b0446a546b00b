"""The region's tree edited in the office's pages: agencies added, changed and removed with
the import's own checks (names, levels, parents, loops, names claimed twice), refused in
Chinese, every change in the audit trail; the office's lists follow at once."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client

from ogi.web.accounts.models import Agency
from ogi.web.supervision.models import TreeChange

from .conftest import PASSWORD, make_user


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    city = Agency.objects.create(name="开封市人民政府", code="KFS", kind="government", level="city")
    Agency.objects.create(name="开封市商务局", code="KSW", parent=city, aliases=["开封商务局"])
    district = Agency.objects.create(name="开封市鼓楼区人民政府", code="GLQ", kind="government", level="county", parent=city)
    Agency.objects.create(name="开封市鼓楼区民政局", code="GMZ", parent=district)
    Agency.objects.create(name="另一市人民政府", code="LYS", kind="government", level="city")
    sup = make_user("kf-gkb", city, "supervisor")
    clerk = make_user("kf-clerk", Agency.objects.get(code="KSW"), "clerk")
    return {"city": city, "district": district, "sup": sup, "clerk": clerk}


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return c


def _form(**kw: str) -> dict[str, str]:
    return {"name": "", "parent": "开封市人民政府", "kind": "department", "level": "", "aliases": "", **kw}


def _errors(resp) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.message for m in resp.context["messages"]] if resp.context else []


def test_add_edit_and_remove_with_the_audit_trail(office) -> None:  # type: ignore[no-untyped-def]
    c = login(office["sup"])
    before = c.get("/supervision/2025/timeliness/").content.decode()
    assert "开封市鼓楼区城管局" not in before
    resp = c.post("/supervision/tree/", _form(name="开封市鼓楼区城管局", parent="开封市鼓楼区人民政府", aliases="鼓楼区城管局；鼓楼城管"),
                  follow=True)
    assert "已新增“开封市鼓楼区城管局”" in resp.content.decode()
    a = Agency.objects.get(name="开封市鼓楼区城管局")
    assert (a.parent, a.kind, a.level, a.aliases) == (office["district"], "department", "", ["鼓楼区城管局", "鼓楼城管"])
    row = resp.content.decode().split('data-agency="开封市鼓楼区城管局"')[1].split("</tr>")[0]
    assert 'data-depth="2"' in row and "县级" in row and "随上级" in row  # takes the district's level
    # The lists of the office take the new agency in at once (its deadline: a county department's).
    after = c.get("/supervision/2025/timeliness/").content.decode()
    assert "开封市鼓楼区城管局" in after
    # Changed: renamed, its own level; the log keeps each field before and after.
    resp = c.post(f"/supervision/tree/{a.pk}/", _form(name="开封市鼓楼区城市管理局", parent="开封市鼓楼区人民政府", level="county",
                                                      aliases="鼓楼区城管局"), follow=True)
    assert "已保存“开封市鼓楼区城市管理局”" in resp.content.decode()
    a.refresh_from_db()
    assert (a.name, a.level, a.aliases) == ("开封市鼓楼区城市管理局", "county", ["鼓楼区城管局"])
    edit = TreeChange.objects.get(action="edit")
    assert edit.user == office["sup"] and edit.changes == {
        "机关名称": ["开封市鼓楼区城管局", "开封市鼓楼区城市管理局"], "层级": ["随上级", "县级"],
        "其他名称": ["鼓楼区城管局、鼓楼城管", "鼓楼区城管局"]}
    # Saving it unchanged writes nothing to the log.
    c.post(f"/supervision/tree/{a.pk}/", _form(name="开封市鼓楼区城市管理局", parent="开封市鼓楼区人民政府", level="county",
                                               aliases="鼓楼区城管局"))
    assert TreeChange.objects.filter(action="edit").count() == 1
    # A district renamed: the agencies below stay below it.
    c.post(f"/supervision/tree/{office['district'].pk}/", _form(name="开封市鼓楼区政府", parent="开封市人民政府", kind="government",
                                                                level="county"))
    assert Agency.objects.get(name="开封市鼓楼区民政局").parent.name == "开封市鼓楼区政府"
    resp = c.post(f"/supervision/tree/{a.pk}/", {"action": "remove"}, follow=True)
    assert "已删除“开封市鼓楼区城市管理局”" in resp.content.decode() and not Agency.objects.filter(pk=a.pk).exists()
    log = c.get("/supervision/tree/").content.decode().split('id="tree-log"')[1]
    assert log.count("<tr data-action=") == 4 and "删除机关" in log and "kf-gkb" in log
    assert [t.action for t in TreeChange.objects.order_by("pk")] == ["add", "edit", "edit", "remove"]


@pytest.mark.parametrize(("form", "message"), [
    (_form(name="另一市人民政府"), "已有名为“另一市人民政府”的机关，机关名称不能重复"),  # outside the subtree, still taken
    (_form(name="开封市商务局"), "已有名为“开封市商务局”的机关"),
    (_form(name="开封市审计局", level="区级"), "“开封市审计局”的层级“区级”无法识别（应为：省级、市级、县级 或 乡镇级）"),
    (_form(name="开封市审计局", kind="局"), "“开封市审计局”的类别“局”无法识别（应为：人民政府 或 部门）"),
    (_form(name="开封市审计局", parent="另一市人民政府"), "上级机关“另一市人民政府”不是本机关或其所辖机关"),
    (_form(name="开封市审计局", parent="不存在的机关"), "上级机关“不存在的机关”不是本机关或其所辖机关"),
    (_form(name="开封市审计局", parent=""), "请填写上级机关"),
    (_form(name=""), "请填写机关名称"),
    (_form(name="开封市审计局", aliases="开封商务局"), "其他名称“开封商务局”已属于“开封市商务局”，不能同时属于“开封市审计局”"),
    (_form(name="开封市审计局", aliases="开封市民政局、开封市鼓楼区民政局"), "“开封市鼓楼区民政局”同时是“开封市审计局”的其他名称，请核对"),
    (_form(name="开封商务局"), "“开封商务局”同时是“开封市商务局”的其他名称，请核对"),
])
def test_additions_the_import_would_refuse_are_refused(office, form, message) -> None:  # type: ignore[no-untyped-def]
    c = login(office["sup"])
    count = Agency.objects.count()
    resp = c.post("/supervision/tree/", form)
    assert resp.status_code == 422
    errors = _errors(resp)
    assert any(message in e for e in errors), errors
    assert all(e.startswith("未保存：") for e in errors)
    assert "已忽略" not in " ".join(errors) and "按无上级处理" not in " ".join(errors)
    assert Agency.objects.count() == count and not TreeChange.objects.exists()
    # The form keeps what was typed.
    assert f'value="{form["name"]}"' in resp.content.decode()


def test_a_loop_a_foreign_agency_and_removals_that_would_lose_data_are_refused(office) -> None:  # type: ignore[no-untyped-def]
    from ogi.web.supervision.models import CollectedReport

    c = login(office["sup"])
    district, city = office["district"], office["city"]
    resp = c.post(f"/supervision/tree/{district.pk}/", _form(name=district.name, parent="开封市鼓楼区民政局", kind="government",
                                                             level="county"))
    assert resp.status_code == 422
    assert "未保存：不能把“开封市鼓楼区人民政府”放到“开封市鼓楼区民政局”之下：上级关系会形成循环" in _errors(resp)
    resp = c.post(f"/supervision/tree/{district.pk}/", _form(name=district.name, parent=district.name, kind="government"))
    assert any("循环" in e for e in _errors(resp))
    district.refresh_from_db()
    assert district.parent == city
    # Not the office's: not found, not shown.
    other = Agency.objects.get(name="另一市人民政府")
    assert c.get(f"/supervision/tree/{other.pk}/").status_code == 404
    assert c.post(f"/supervision/tree/{other.pk}/", {"action": "remove"}).status_code == 404
    # Removals: not the office, not an agency with agencies below, users, or reports.
    resp = c.post(f"/supervision/tree/{district.pk}/", {"action": "remove"}, follow=True)
    assert "未删除：“开封市鼓楼区人民政府”下还有 1 个机关，请先移走或删除这些机关" in resp.content.decode()
    resp = c.post(f"/supervision/tree/{city.pk}/", {"action": "remove"}, follow=True)
    assert "未删除：不能删除本机关自己" in resp.content.decode()
    swj = Agency.objects.get(name="开封市商务局")
    resp = c.post(f"/supervision/tree/{swj.pk}/", {"action": "remove"}, follow=True)
    assert "未删除：“开封市商务局”已有工作人员，不能删除" in resp.content.decode()
    mzj = Agency.objects.get(name="开封市鼓楼区民政局")
    CollectedReport.objects.create(office=city, agency=mzj, year=2025, file_name="x.txt", content=b"x", sha256="0", report={},
                                   state="current")
    resp = c.post(f"/supervision/tree/{mzj.pk}/", {"action": "remove"}, follow=True)
    assert "已有汇集的年度报告，不能删除" in resp.content.decode()
    assert Agency.objects.filter(pk__in=[district.pk, city.pk, swj.pk, mzj.pk]).count() == 4 and not TreeChange.objects.exists()
    # The office edits its own name and aliases, never its place above.
    c.post(f"/supervision/tree/{city.pk}/", {"name": city.name, "parent": "另一市人民政府", "kind": "government", "level": "city",
                                             "aliases": "开封市政府"})
    city.refresh_from_db()
    assert city.parent is None and city.aliases == ["开封市政府"]


def test_only_the_office_edits_its_tree(office) -> None:  # type: ignore[no-untyped-def]
    clerk = login(office["clerk"])
    assert clerk.get("/supervision/tree/").status_code == 403
    assert clerk.post("/supervision/tree/", _form(name="开封市审计局")).status_code == 403
    assert not Agency.objects.filter(name="开封市审计局").exists()
    # A lower office edits its own part only.
    low = login(make_user("gl-gkb", office["district"], "supervisor"))
    page = low.get("/supervision/tree/").content.decode()
    assert "开封市鼓楼区民政局" in page and "开封市商务局" not in page.split('id="tree"')[1].split("</table>")[0]
    resp = low.post("/supervision/tree/", _form(name="开封市审计局", parent="开封市人民政府"))
    assert resp.status_code == 422 and "未保存：上级机关“开封市人民政府”不是本机关或其所辖机关" in _errors(resp)
