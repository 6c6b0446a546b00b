"""One workflow machine, for requests and for reports: states and transitions are data;
guards (may this happen now?) and effects (what it changes) are small functions registered
by name. The machine is checked when it is built — every name a transition uses resolves,
every state exists and can be reached — so a misspelt guard fails at import, never passes
silently."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


class Refused(Exception):
    """An event that may not happen now; the reason in Chinese."""

    def __init__(self, message_zh: str, code: str = "refused"):
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.code = code


@dataclass(frozen=True)
class Transition:
    event: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    outcome: str | None = None  # the outcome a closing event records (requests)
    inputs: tuple[str, ...] = ()  # what the user supplies
    public: str = ""  # what the applicant's tracking page says happened; "" shows nothing


@dataclass
class Context:
    on: dt.date
    role: str
    inputs: dict[str, Any] = field(default_factory=dict)
    calendar: Any = None  # ogi.workdays.Calendar; None: the default one
    extra: dict[str, Any] = field(default_factory=dict)  # what a caller knows that guards need (findings …)

    @property
    def cal(self):  # type: ignore[no-untyped-def]
        from ..workdays import default_calendar

        return self.calendar or default_calendar()


Guard = Callable[[Any, Context], "str | None"]  # None when it holds, else why not (Chinese)
Effect = Callable[[Any, Transition, Context], None]


class MachineError(ValueError):
    """The machine's own data is inconsistent (a programming error, raised at import)."""


class Machine:
    def __init__(self, name: str, states: dict[str, str], initial: str, transitions: Iterable[Transition],
                 roles: dict[str, str], state_attr: str = "state"):
        self.name = name
        self.states = states
        self.initial = initial
        self.transitions = tuple(transitions)
        self.roles = roles
        self.state_attr = state_attr
        self.by_event = {t.event: t for t in self.transitions}
        self.guards: dict[str, Guard] = {}
        # Guards that read the object alone (not the day or the inputs): what they refuse
        # is refused whenever asked, so the event is not offered at all.
        self.standing: set[str] = set()
        self.effects: dict[str, Effect] = {}

    # --- registries -----------------------------------------------------------------------

    def guard(self, name: str, *, standing: bool = False) -> Callable[[Guard], Guard]:
        def deco(func: Guard) -> Guard:
            if name in self.guards:
                raise MachineError(f"{self.name}: guard {name} registered twice")
            self.guards[name] = func
            if standing:
                self.standing.add(name)
            return func
        return deco

    def effect(self, name: str) -> Callable[[Effect], Effect]:
        def deco(func: Effect) -> Effect:
            if name in self.effects:
                raise MachineError(f"{self.name}: effect {name} registered twice")
            self.effects[name] = func
            return func
        return deco

    def validate(self) -> Machine:
        """Every name resolves, every state exists and is reachable from the initial one;
        called once the module has registered its guards and effects."""
        if len(self.by_event) != len(self.transitions):
            raise MachineError(f"{self.name}: an event is declared twice")
        if self.initial not in self.states:
            raise MachineError(f"{self.name}: unknown initial state {self.initial}")
        for t in self.transitions:
            for s in (*t.sources, *([t.target] if t.target else [])):
                if s not in self.states:
                    raise MachineError(f"{self.name}.{t.event}: unknown state {s}")
            for g in t.guards:
                if g not in self.guards:
                    raise MachineError(f"{self.name}.{t.event}: guard {g} is not registered")
            for e in t.effects:
                if e not in self.effects:
                    raise MachineError(f"{self.name}.{t.event}: effect {e} is not registered")
            unknown = set(t.roles) - set(self.roles)
            if unknown:
                raise MachineError(f"{self.name}.{t.event}: unknown roles {sorted(unknown)}")
        reached, frontier = {self.initial}, [self.initial]
        while frontier:
            s = frontier.pop()
            for t in self.transitions:
                if s in t.sources and t.target and t.target not in reached:
                    reached.add(t.target)
                    frontier.append(t.target)
        unreachable = set(self.states) - reached
        if unreachable:
            raise MachineError(f"{self.name}: states never reached: {sorted(unreachable)}")
        unused = (set(self.guards) - {g for t in self.transitions for g in t.guards}) | (
            set(self.effects) - {e for t in self.transitions for e in t.effects})
        if unused:
            raise MachineError(f"{self.name}: registered but never used: {sorted(unused)}")
        return self

    # --- use ------------------------------------------------------------------------------

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def allowed(self, obj: Any, role: str) -> list[Transition]:
        """The events a user of this role could fire on the object in its state."""
        state = getattr(obj, self.state_attr)
        return [t for t in self.transitions if state in t.sources and role in t.roles]

    def offered(self, obj: Any, role: str, ctx: Context) -> list[Transition]:
        """The events to offer: those allowed that no standing guard refuses (a button that
        is always refused is not shown)."""
        return [t for t in self.allowed(obj, role) if self.standing_refusal(obj, t, ctx) is None]

    def standing_refusal(self, obj: Any, t: Transition, ctx: Context) -> str | None:
        """Why the event would be refused whatever its day and inputs; None when it may go."""
        return next((why for g in t.guards if g in self.standing and (why := self.guards[g](obj, ctx))), None)

    def check(self, obj: Any, event: str, ctx: Context) -> Transition:
        """The transition, once role, state and every guard allow it; else Refused."""
        t = self.by_event.get(event)
        if t is None:
            raise Refused("没有这个操作", "unknown_event")
        if ctx.role not in t.roles:
            raise Refused(f"“{self.roles.get(ctx.role, ctx.role)}”无权执行“{t.label}”", "forbidden")
        state = getattr(obj, self.state_attr)
        if state not in t.sources:
            raise Refused(f"处于“{self.state_label(state)}”状态，不能执行“{t.label}”", "wrong_state")
        for g in t.guards:
            why = self.guards[g](obj, ctx)
            if why:
                raise Refused(why, "guard")
        return t

    def apply(self, obj: Any, t: Transition, ctx: Context) -> None:
        """The transition's effects, then its target state."""
        for e in t.effects:
            self.effects[e](obj, t, ctx)
        if t.target:
            setattr(obj, self.state_attr, t.target)

    def table(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(role, state) → the events that role may fire in that state: the permissions as
        one table, for people and for the tests."""
        return {(role, state): tuple(t.event for t in self.transitions if state in t.sources and role in t.roles)
                for role in self.roles for state in self.states}
