"""Staff accounts: the operator's `ogi user` commands and the agency administrator's page
both go through here. Passwords pass Django's validators; a password someone else chose
must be changed at first login."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from ogi.web import clock
from ogi.web.ledger.models import Event
from ogi.workflow.requests import ROLES, Refused

from .models import Agency, Staff

# An agency administrator manages the agency's own staff; supervisors are the operator's.
AGENCY_ROLES = {k: v for k, v in ROLES.items() if k != "supervisor"}
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """12 characters, no look-alikes: read off a screen and typed once."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def _check_password(password: str, user=None) -> None:  # type: ignore[no-untyped-def]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise Refused("密码不符合要求：" + "；".join(e.messages), "bad_password") from None


def find_agency(name_or_code: str) -> Agency:
    a = Agency.objects.filter(name=name_or_code).first() or Agency.objects.filter(code=name_or_code.upper()).first()
    if a is None:
        raise Refused(f"没有机关“{name_or_code}”", "not_found")
    return a


def _manager(actor, staff: Staff | None = None) -> Staff:  # type: ignore[no-untyped-def]
    """The acting administrator; None actor is the operator at the command line."""
    from .access import staff_of

    s = staff_of(actor)
    if s is None or s.role != "admin":
        raise Refused("只有机关管理员可以管理本机关工作人员", "forbidden")
    if staff is not None and staff.agency_id != s.agency_id:
        raise Refused("只能管理本机关的工作人员", "forbidden")
    return s


def add(username: str, agency: Agency, role: str, *, email: str = "", full_name: str = "",
        password: str | None = None, actor=None) -> tuple[Staff, str]:  # type: ignore[no-untyped-def]
    """A new staff user; returns it with the temporary password (generated when none given)."""
    if actor is not None:
        s = _manager(actor)
        if agency.pk != s.agency_id:
            raise Refused("只能为本机关添加工作人员", "forbidden")
        if role not in AGENCY_ROLES:
            raise Refused("请选择经办人、审核人或机关管理员", "bad_input")
    if role not in ROLES:
        raise Refused("角色应为：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()), "bad_input")
    username = username.strip()
    if not username:
        raise Refused("请填写用户名", "bad_input")
    if len(username) > 150:
        raise Refused(f"用户名过长：不超过 150 个字符（现有 {len(username)} 个）", "bad_input")
    # Django's own rule for a username (letters, digits and @.+-_): one with a space cannot log in.
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise Refused(f"用户名“{username[:40]}”只能由字母、数字和 @ . + - _ 组成（不能有空格）", "bad_input") from None
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Refused(f"电子邮箱“{email[:60]}”的格式不对（提醒邮件会发往这个地址）", "bad_input") from None
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise Refused(f"用户名 {username} 已被使用", "conflict")
    password = password or temporary_password()
    probe = User(username=username, email=email, first_name=full_name)
    _check_password(password, probe)
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, email=email, first_name=full_name)
        staff = Staff.objects.create(user=user, agency=agency, role=role, must_change_password=True)
        _audit(staff, actor, "add_user", "添加工作人员", {"role": [None, role]})
    return staff, password


def _audit(staff: Staff, actor, event: str, label: str, changes: dict) -> None:  # type: ignore[no-untyped-def]
    Event.objects.create(agency=staff.agency, actor=actor, on=clock.today(), event=event, label=label, changes=changes,
                         note=staff.user.get_username())


def get_staff(username: str) -> Staff:
    s = Staff.objects.select_related("user", "agency").filter(user__username=username).first()
    if s is None:
        raise Refused(f"没有这个工作人员：{username}", "not_found")
    return s


def set_active(staff: Staff, active: bool, actor=None) -> None:  # type: ignore[no-untyped-def]
    if actor is not None:
        me = _manager(actor, staff)
        if me.pk == staff.pk and not active:
            raise Refused("不能停用自己的账号", "forbidden")
    staff.user.is_active = active
    staff.user.save(update_fields=["is_active"])
    _audit(staff, actor, "enable_user" if active else "disable_user", "启用账号" if active else "停用账号", {})


def set_role(staff: Staff, role: str, actor=None) -> None:  # type: ignore[no-untyped-def]
    roles = AGENCY_ROLES if actor is not None else ROLES
    if role not in roles:
        raise Refused("请选择经办人、审核人或机关管理员", "bad_input")
    if actor is not None:
        me = _manager(actor, staff)
        if me.pk == staff.pk and role != "admin":
            raise Refused("不能取消自己的管理员角色", "forbidden")
    before = staff.role
    staff.role = role
    staff.save(update_fields=["role"])
    _audit(staff, actor, "set_role", "调整角色", {"role": [before, role]})


def reset_password(staff: Staff, actor=None) -> str:  # type: ignore[no-untyped-def]
    """A new temporary password, to be changed at the next login."""
    if actor is not None:
        _manager(actor, staff)
    password = temporary_password()
    _check_password(password, staff.user)
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    staff.must_change_password = True
    staff.save(update_fields=["must_change_password"])
    _audit(staff, actor, "reset_password", "重置密码", {})
    return password


def password_changed(user) -> None:  # type: ignore[no-untyped-def]
    Staff.objects.filter(user=user).update(must_change_password=False)
