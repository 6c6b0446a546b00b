"""The agency administrator's staff page, the password change every user can reach (and
is sent to at first login), and the login page shown after too many wrong passwords."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ogi.web.errors import refuse
from ogi.workflow.requests import Refused

from . import users
from .access import staff_of
from .models import Staff


class AddStaffForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    email = forms.EmailField(label="电子邮箱（接收待办提醒）", required=False)
    role = forms.ChoiceField(label="角色", choices=list(users.AGENCY_ROLES.items()))


def _admin(request: HttpRequest) -> Staff | None:
    s = staff_of(request.user)
    return s if s is not None and s.role == "admin" else None


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    me = _admin(request)
    if me is None:
        return refuse(request, 403, "只有机关管理员可以管理工作人员")
    form = AddStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff, password = users.add(d["username"], me.agency, d["role"], email=d["email"], full_name=d["full_name"],
                                           actor=request.user)
        except Refused as e:
            form.add_error(None, e.message_zh)
        else:
            messages.success(request, f"已添加 {staff.user.get_username()}，临时密码：{password}（只显示这一次，首次登录须修改）")
            return redirect("staff")
    rows = Staff.objects.filter(agency=me.agency).select_related("user").order_by("user__username")
    return render(request, "accounts/staff.html", {"staff": me, "rows": rows, "form": form, "roles": users.AGENCY_ROLES})


@login_required
@require_POST
def staff_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    me = _admin(request)
    if me is None:
        return refuse(request, 403, "只有机关管理员可以管理工作人员")
    try:
        target = users.get_staff(username)
        if target.agency_id != me.agency_id:
            # Said the same whether the name exists or not: another agency's staff are not listed.
            raise Refused(f"没有这个工作人员：{username}", "not_found")
        if action == "disable":
            users.set_active(target, False, actor=request.user)
            messages.success(request, f"已停用 {username}")
        elif action == "enable":
            users.set_active(target, True, actor=request.user)
            messages.success(request, f"已启用 {username}")
        elif action == "role":
            users.set_role(target, request.POST.get("role", ""), actor=request.user)
            messages.success(request, f"已调整 {username} 的角色")
        elif action == "reset":
            password = users.reset_password(target, actor=request.user)
            messages.success(request, f"已重置 {username} 的密码，临时密码：{password}（只显示这一次，登录后须修改）")
        else:
            return refuse(request, 404, "没有这个操作")
    except Refused as e:
        if e.code == "not_found":
            return refuse(request, 404, e.message_zh)
        messages.error(request, e.message_zh)
    return redirect("staff")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    s = staff_of(request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        users.password_changed(user)
        messages.success(request, "密码已修改")
        return redirect("inbox")
    return render(request, "accounts/password.html", {"staff": s, "form": form,
                                                    "forced": bool(s and s.must_change_password)})


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The login page after too many wrong passwords for this account from this address."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/login.html", {"locked": True, "minutes": minutes, "form": None}, status=429)
