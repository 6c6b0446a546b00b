"""Who works in ogi: agencies (with their kind and level, which fix their publication
deadline, and the names they print), their staff with a role each, and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ogi.workflow.requests import ROLES

# In every request's number (SWJ-2026-00001), and so in addresses and file names.
_CODE = re.compile(r"[A-Za-z0-9]{1,20}")


def inherited_level(levels: list[str]) -> str:
    """An agency's level from its own and its ancestors' (nearest first): the first one set,
    else 市级 (the top office of a deployment is most often a city's)."""
    return next((lv for lv in levels if lv), "city")


class Agency(models.Model):
    name = models.CharField("机关名称", max_length=100, unique=True)
    code = models.CharField("编号", max_length=20, unique=True, help_text="用于申请编号，如 SWJ（只用英文字母和数字）")
    kind = models.CharField("类别", max_length=20, choices=[("department", "部门"), ("government", "人民政府")],
                            default="department")
    parent = models.ForeignKey("self", verbose_name="上级（监督）机关", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    # Level decides a government's publication deadline (rules.md metadata.date); the
    # aliases are the names an agency prints, so a collected report finds its agency.
    level = models.CharField("层级", max_length=20, blank=True, default="",
                             choices=[("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇级")])
    aliases = models.JSONField("其他名称", default=list, blank=True, help_text="报告中印出的其他名称")
    letter_prefix = models.CharField("文号机关代字", max_length=20, blank=True, default="",
                                     help_text="如“市商务”，文书编号为 市商务公开〔2026〕第1号；留空则用机关名称")
    # The agency's own wording laid over ogi.records.letters.yaml (same keys).
    letter_templates = models.JSONField("文书模板（本机关修改部分）", default=dict, blank=True)

    class Meta:
        db_table = "ledger_agency"  # the table as it was created, kept when the app was split
        verbose_name = verbose_name_plural = "机关"

    def __str__(self) -> str:
        return self.name

    def effective_level(self) -> str:
        """Its level, else the nearest one above it (a department of a city is a city-level
        department), else 市级 at the top: the level its publication deadline follows."""
        chain, cur, seen = [], self, set()
        while cur is not None and cur.pk not in seen:
            seen.add(cur.pk)
            chain.append(cur.level)
            cur = cur.parent
        return inherited_level(chain)

    def subtree_ids(self) -> list[int]:
        ids, frontier = [self.pk], [self.pk]
        seen = {self.pk}
        while frontier:
            # (seen: a loop in the data, which clean() refuses, must not hang a page)
            frontier = [pk for pk in Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True) if pk not in seen]
            seen.update(frontier)
            ids += frontier
        return ids

    def clean(self) -> None:
        """What a form cannot say by itself: the tree without loops, the JSON fields in the
        shapes the pages and letters read (the admin edits them as raw JSON)."""
        problems: dict[str, str] = {}
        # Checked when set or changed: a code in use (an older database may hold SW-J) keeps
        # its agency editable; changing it would renumber the agency's future requests.
        before = Agency.objects.filter(pk=self.pk).values_list("code", flat=True).first() if self.pk else None
        if self.code != before and not _CODE.fullmatch(self.code or ""):
            problems["code"] = "编号只能由英文字母和数字组成，如 SWJ"
        cur, seen = self.parent, set()
        while cur is not None and cur.pk not in seen:
            if self.pk is not None and cur.pk == self.pk:
                problems["parent"] = f"不能把“{self.name}”放到“{self.parent}”之下：上级关系会形成循环"
                break
            seen.add(cur.pk)
            cur = cur.parent
        aliases = self.aliases if self.aliases is not None else []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() and len(a) <= 100 for a in aliases):
            problems["aliases"] = "其他名称应为名称的列表，如 [\"某某局\", \"某某市某某局\"]，每个名称不超过 100 个字"
        elif len(aliases) > 50:
            problems["aliases"] = "其他名称不超过 50 个"
        own = self.letter_templates if self.letter_templates is not None else {}
        if not isinstance(own, dict):
            problems["letter_templates"] = "文书模板应为 JSON 对象（键为模板名称），不修改时留空 {}"
        elif own:
            from ogi.records.letters import check_templates

            try:
                wrong = check_templates(own)
            except (TypeError, AttributeError, KeyError, ValueError):
                wrong = ["模板格式不正确"]
            if wrong:
                problems["letter_templates"] = "；".join(wrong[:5])
        if problems:
            raise ValidationError(problems)


def person(user) -> str:  # type: ignore[no-untyped-def]
    """A user as colleagues know them: the name given when the account was made, else the login."""
    if user is None:
        return ""
    name = (user.get_full_name() or "").strip()
    return name or user.get_username()


class Staff(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="staff")
    agency = models.ForeignKey(Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="staff")
    role = models.CharField("角色", max_length=20, choices=list(ROLES.items()))
    # Set when an operator or administrator chose the password: the user picks their own at first login.
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        db_table = "ledger_staff"
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.agency}·{self.get_role_display()}）"



class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ledger_apitoken"
        verbose_name = verbose_name_plural = "接口令牌"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "") -> str:  # type: ignore[no-untyped-def]
        key = "ogi_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, key_hash=cls.digest(key))
        return key
