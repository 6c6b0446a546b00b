"""The import page: upload, map the columns, preview every row, then import — all or nothing."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ogi.web.accounts import access
from ogi.web.errors import refuse
from ogi.web.params import query_int
from ogi.workflow.requests import Refused

from . import ledger_import as imp

_SESSION = "ledger_import"


def _store() -> Path:
    d = Path(settings.DATA_DIR) / "imports"
    d.mkdir(exist_ok=True)
    return d


def _allowed(request: HttpRequest):  # type: ignore[no-untyped-def]
    s = access.staff_of(request.user)
    return s if s is not None and s.role != "supervisor" else None


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    s = _allowed(request)
    if s is None:
        return refuse(request, 403, "只有机关工作人员可以导入台账")
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择要导入的 Excel 或 CSV 文件")
        elif f.size > imp.MAX_BYTES:
            messages.error(request, f"文件超过 {imp.MAX_BYTES // 2**20} MB，请分批导入")
        else:
            data = f.read()
            try:
                imp.read_table(data, f.name)
            except Refused as e:
                messages.error(request, e.message_zh)
            else:
                token = secrets.token_hex(16)
                (_store() / token).write_bytes(data)
                old = request.session.get(_SESSION, {}).get("token")
                if old:
                    (_store() / old).unlink(missing_ok=True)
                request.session[_SESSION] = {"token": token, "name": f.name[:100]}
                return redirect("import_map")
    return render(request, "ledger/import.html", {"staff": s, "imported": imp.already_imported(s.agency_id)})


def template(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(imp.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%8F%B0%E8%B4%A6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return resp


@login_required
def mapping(request: HttpRequest) -> HttpResponse:
    s = _allowed(request)
    if s is None:
        return refuse(request, 403, "只有机关工作人员可以导入台账")
    info = request.session.get(_SESSION)
    path = _store() / info["token"] if info and all(c in "0123456789abcdef" for c in info.get("token", "x")) else None
    if path is None or not path.exists():
        messages.error(request, "请先上传要导入的文件")
        return redirect("import")
    table = imp.read_table(path.read_bytes(), info["name"])
    guess = imp.guess_mapping(table.headers)
    chosen: dict[str, int | None] = {}
    for fld in imp.FIELDS:
        raw = request.POST.get(f"col_{fld}") if request.method == "POST" else None
        if raw is None:
            chosen[fld] = guess[fld]
        else:
            n = query_int(raw)
            chosen[fld] = n if n is not None and n < len(table.headers) else None
    ctx = {"staff": s, "name": info["name"], "headers": list(enumerate(table.headers)), "rows": len(table.rows),
           "fields": [(f, imp.LABELS[f], f in imp.REQUIRED, chosen[f]) for f in imp.FIELDS]}
    if request.method == "POST":
        commit = request.POST.get("action") == "commit"
        try:
            result = imp.run(request.user, table, chosen, commit=commit)
        except Refused as e:
            messages.error(request, e.message_zh)
            return render(request, "ledger/import_map.html", ctx)
        if result.committed:
            path.unlink(missing_ok=True)
            request.session.pop(_SESSION, None)
            messages.success(request, f"已导入 {result.count('new')} 件，跳过已导入过的 {result.count('duplicate')} 件")
            return redirect("list")
        ctx["result"] = result
        ctx["counts"] = {k: result.count(k) for k in ("new", "duplicate", "rejected")}
    return render(request, "ledger/import_map.html", ctx)
