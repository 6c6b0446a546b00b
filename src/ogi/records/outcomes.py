"""The outcomes a request is answered with: exactly the rows of table 三 under
三、本年度办理结果, taken from the edition files. Codes are the 2021 edition's row keys;
the 2019 edition's single 其他处理 row receives every other.* code."""

from __future__ import annotations

from functools import cache

from ..editions import load_edition

CURRENT = "2021"


@cache
def outcomes() -> dict[str, str]:
    """code → label, in the order of table 三 (the 2021 edition)."""
    ed = load_edition(CURRENT)
    block = ed.table("requests").blocks[0]
    out = {}
    for row in block.rows:
        if row.parents and row.key != (ed.role("processed").split(".")[1]):
            parent = row.parents[-1] if len(row.parents) > 1 else ""
            out[row.key] = f"{parent}{row.label}"
    return out


def row_for(code: str, edition_id: str) -> str:
    """The row of an edition's table 三 that counts this outcome."""
    ed = load_edition(edition_id)
    keys = {r.key for r in ed.table("requests").blocks[0].rows}
    if code in keys:
        return code
    head = code.split(".")[0]
    if head in keys:
        return head
    raise KeyError(f"outcome {code!r} has no row in edition {edition_id}")


APPLICANT_CATEGORIES = {
    "natural": "自然人",
    "commercial": "法人或其他组织·商业企业",
    "research": "法人或其他组织·科研机构",
    "nonprofit": "法人或其他组织·社会公益组织",
    "legal_service": "法人或其他组织·法律服务机构",
    "other_org": "法人或其他组织·其他",
}
