"""The region's tree edited in ogi: the office adds, changes and removes the agencies below
it. Every change is judged by the import's own rules (ogi.supervision.tree.build_region:
names, kinds, levels, parents, loops, names claimed twice) on the whole subtree as it would
be — a change that brings in a problem the tree did not have is refused, in Chinese — and
is written to the audit trail with every field before and after."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ogi.supervision.tree import KINDS, LEVELS, build_region
from ogi.web.accounts.models import Agency

from .models import TreeChange

FIELDS_ZH = {"name": "机关名称", "parent": "上级机关", "kind": "类别", "level": "层级", "aliases": "其他名称"}
MAX_NAME = 100  # Agency.name
MAX_ALIASES_TEXT = 2000


class TreeRefused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Node:
    agency: Agency
    depth: int
    level: str  # its own, or the one it takes from above


def nodes(office: Agency) -> list[Node]:
    """The office's subtree in tree order (each agency followed by those below it)."""
    rows = list(Agency.objects.filter(pk__in=office.subtree_ids()).only("pk", "name", "code", "kind", "level", "parent_id",
                                                                       "aliases"))
    children: dict[int | None, list[Agency]] = {}
    for a in rows:
        children.setdefault(a.parent_id if a.pk != office.pk else None, []).append(a)
    out: list[Node] = []
    stack = [(a, 0, "") for a in sorted(children.get(None, []), key=lambda a: a.name, reverse=True)]
    while stack:
        a, depth, above = stack.pop()
        level = a.level or above or "city"
        out.append(Node(a, depth, level))
        stack += [(c, depth + 1, level) for c in sorted(children.get(a.pk, []), key=lambda c: c.name, reverse=True)]
    return out


def _record(a: Agency, names: dict[int, str], levels: dict[int, str], office: Agency) -> dict[str, str]:
    parent = names.get(a.parent_id) if a.pk != office.pk and a.parent_id is not None else None
    return {"name": a.name, "parent": parent or "", "kind": a.kind, "level": a.level or levels.get(a.pk, "city"),
            "aliases": "、".join(a.aliases or [])}


# What the import does with a faulty row, said after its problem; a refused change does none of it.
_IMPORT_ONLY = ("，已忽略", "，按无上级处理", "，只取第一次")


def _problems(records: list[dict[str, str]]) -> set[str]:
    _, problems = build_region((None, r) for r in records)
    out = set()
    for p in problems:
        text = p.message_zh
        for tail in _IMPORT_ONLY:
            text = text.removesuffix(tail)
        out.add(text)
    return out


def _judge(office: Agency, nodes_: list[Node], changed: dict[str, str], replacing: int | None) -> None:
    """Refuse when the subtree with `changed` in place of agency `replacing` (or added when
    `replacing` is None) has a problem it did not have."""
    names = {n.agency.pk: n.agency.name for n in nodes_}
    levels = {n.agency.pk: n.level for n in nodes_}
    before = [_record(n.agency, names, levels, office) for n in nodes_]
    after = [r for n, r in zip(nodes_, before, strict=True) if n.agency.pk != replacing]
    if replacing is not None:
        old = names[replacing]
        # Those below the renamed agency follow it.
        after = [{**r, "parent": changed["name"]} if r["parent"] == old else r for r in after]
    after.append(changed)  # last: a name or alias taken already is reported on it
    new = sorted(_problems(after) - _problems(before))
    if new:
        raise TreeRefused(new)


def _clean(office: Agency, nodes_: list[Node], data: dict[str, str], agency: Agency | None) -> dict[str, Any]:
    """The form's text → the record build_region judges, and the parent Agency; refusals
    for what build_region cannot know (the whole database's names, the office's reach)."""
    name = " ".join((data.get("name") or "").split())
    problems = []
    if not name:
        problems.append("请填写机关名称")
    elif len(name) > MAX_NAME:
        problems.append(f"机关名称不超过 {MAX_NAME} 个字")
    elif Agency.objects.filter(name=name).exclude(pk=agency.pk if agency else None).exists():
        problems.append(f"已有名为“{name}”的机关，机关名称不能重复")
    by_name = {n.agency.name: n for n in nodes_}
    parent_name = " ".join((data.get("parent") or "").split())
    parent: Agency | None = None
    if agency is not None and agency.pk == office.pk:
        parent_name = ""  # the office's own place in the tree is not the office's to change
    elif not parent_name:
        problems.append("请填写上级机关（本机关或其所辖机关之一）")
    elif parent_name not in by_name:
        problems.append(f"上级机关“{parent_name}”不是本机关或其所辖机关")
    else:
        parent = by_name[parent_name].agency
        if agency is not None and _below(nodes_, agency, parent):
            problems.append(f"不能把“{agency.name}”放到“{parent.name}”之下：上级关系会形成循环")
    aliases = (data.get("aliases") or "")[:MAX_ALIASES_TEXT]
    if problems:
        raise TreeRefused(problems)
    kind = (data.get("kind") or "").strip()
    level = (data.get("level") or "").strip()
    parent_level = by_name[parent.name].level if parent is not None else "city"
    return {"record": {"name": name, "parent": parent.name if parent else "", "kind": kind,
                       "level": level or parent_level, "aliases": aliases},
            "parent": parent, "inherit": not level}


def _below(nodes_: list[Node], agency: Agency, parent: Agency) -> bool:
    """Whether `parent` is `agency` itself or lies below it."""
    ids = {n.agency.pk: n.agency.parent_id for n in nodes_}
    cur: int | None = parent.pk
    seen = set()
    while cur is not None and cur not in seen:
        if cur == agency.pk:
            return True
        seen.add(cur)
        cur = ids.get(cur)
    return False


def _values(a: Agency) -> dict[str, str]:
    return {"name": a.name, "parent": a.parent.name if a.parent_id else "", "kind": KINDS.get(a.kind, a.kind),
            "level": LEVELS.get(a.level, "随上级") if a.level else "随上级", "aliases": "、".join(a.aliases or [])}


def _code() -> str:
    while True:
        code = "T" + secrets.token_hex(4).upper()
        if not Agency.objects.filter(code=code).exists():
            return code


@transaction.atomic
def save(office: Agency, user: Any, data: dict[str, str], agency: Agency | None = None) -> Agency:
    """Add an agency below the office (`agency` None) or change one of its subtree."""
    nodes_ = nodes(office)
    if agency is not None and agency.pk not in {n.agency.pk for n in nodes_}:
        raise TreeRefused(["该机关不在本机关所辖范围内"])
    cleaned = _clean(office, nodes_, data, agency)
    _judge(office, nodes_, cleaned["record"], agency.pk if agency else None)
    # The tree's own reading of the record: kind and level words, aliases split and deduplicated.
    region, _ = build_region([(None, cleaned["record"])])
    parsed = region[cleaned["record"]["name"]]
    before = _values(agency) if agency is not None else None
    a = agency or Agency(code=_code())
    a.name, a.kind, a.aliases = parsed.name, parsed.kind, list(parsed.aliases)
    a.level = "" if cleaned["inherit"] else parsed.level
    if agency is None or agency.pk != office.pk:
        a.parent = cleaned["parent"]
    a.save()
    after = _values(a)
    changes = {FIELDS_ZH[k]: [before[k] if before else "", v] for k, v in after.items() if before is None or before[k] != v}
    if changes:
        TreeChange.objects.create(office=office, agency=a, agency_name=a.name, action="edit" if agency else "add",
                                  changes=changes, user=user)
    return a


# Rows that keep an agency in use: it is not removed while any exists (its name can still change).
def _uses(agency: Agency) -> list[str]:
    used = []
    for rel in agency._meta.related_objects:
        if rel.related_model is TreeChange or not (rel.one_to_many or rel.one_to_one):
            continue
        manager = rel.related_model._base_manager
        if manager.filter(**{rel.field.name: agency}).exists():
            used.append(str(rel.related_model._meta.verbose_name_plural))
    return sorted(set(used))


@transaction.atomic
def remove(office: Agency, user: Any, agency: Agency) -> None:
    if agency.pk == office.pk:
        raise TreeRefused(["不能删除本机关自己"])
    nodes_ = nodes(office)
    if agency.pk not in {n.agency.pk for n in nodes_}:
        raise TreeRefused(["该机关不在本机关所辖范围内"])
    below = Agency.objects.filter(parent=agency).count()
    if below:
        raise TreeRefused([f"“{agency.name}”下还有 {below} 个机关，请先移走或删除这些机关"])
    used = [u for u in _uses(agency) if u != "机关"]
    if used:
        raise TreeRefused([f"“{agency.name}”已有{'、'.join(used)}，不能删除（可以修改其名称、上级等）"])
    before = _values(agency)
    TreeChange.objects.create(office=office, agency=None, agency_name=agency.name, action="remove",
                              changes={FIELDS_ZH[k]: [v, ""] for k, v in before.items()}, user=user)
    agency.delete()
