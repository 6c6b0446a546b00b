"""The check registry: every rule of rules.md is a function registered here with its id
and severity; `check` runs them all. A rule's scope says what it is given: one Report
("report"), the reports of a call together ("across"), or a workspace's year report
("workspace": ogi.workspace.YearReport, for the rules of a compiled report)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..report import Finding, Report

SEVERITIES = ("error", "warning", "info")
SCOPES = ("report", "across", "workspace")
SingleCheck = Callable[[Report], Iterable[Finding]]
MultiCheck = Callable[[Sequence[Report]], Iterable[tuple[int, Finding]]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title_zh: str
    func: Callable
    scope: str = "report"

    @property
    def across(self) -> bool:  # needs several reports
        return self.scope == "across"


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, title_zh: str, *, across: bool = False, scope: str | None = None) -> Callable:
    """Register a check. A single-report check takes a Report and yields Findings; an
    across-reports check takes the list and yields (index of report, Finding); a workspace
    check takes the YearReport and yields Findings."""
    if severity not in SEVERITIES:
        raise ValueError(severity)
    scope = scope or ("across" if across else "report")
    if scope not in SCOPES:
        raise ValueError(scope)

    def deco(func: Callable) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, title_zh, func, scope)
        return func

    return deco


def finding(rule_id: str, message_zh: str, message_en: str, **kw: object) -> Finding:
    """A Finding with the severity its rule was registered with (unless given)."""
    severity = kw.pop("severity", None) or RULES[rule_id].severity
    return Finding(rule_id, str(severity), message_zh, message_en, **kw)  # type: ignore[arg-type]


def _funcs(scope: str) -> list[Callable]:
    """Each check function once: one function may serve several rules that share their
    work (the identities are evaluated once for all arithmetic rules)."""
    seen: dict[Callable, None] = {}
    for r in RULES.values():
        if r.scope == scope:
            seen.setdefault(r.func)
    return list(seen)


def check(report: Report) -> list[Finding]:
    """Every single-report check on one report."""
    out: list[Finding] = []
    for func in _funcs("report"):
        out.extend(func(report))
    return out


def check_workspace(ws: object) -> list[Finding]:
    """The rules of a report compiled in the workspace, on its YearReport."""
    out: list[Finding] = []
    for func in _funcs("workspace"):
        out.extend(func(ws))
    return out


def check_all(reports: Sequence[Report]) -> list[list[Finding]]:
    """Every check on each report, plus the across-reports checks on them together."""
    results = [check(r) for r in reports]
    if len(reports) > 1:
        for func in _funcs("across"):
            for idx, f in func(reports):
                results[idx].append(f)
    return results
