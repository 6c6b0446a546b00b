"""Demo data: a supervising office with two departments, users of every role, and two
years of requests taken through the real workflow (so every one has its audit trail)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from ogi.records import validate
from ogi.web import clock
from ogi.web.accounts.models import Agency, Staff
from ogi.web.ledger import services
from ogi.web.ledger.models import Request
from ogi.web.reporting.models import AppealCase, RegulatoryDocument, YearFigures
from ogi.web.reporting.services import workspace
from ogi.workdays import default_calendar
from ogi.workflow.requests import Refused

PASSWORD = "ogi-demo-2026"
PROBLEMS = ("（一）存在的主要问题：依申请公开答复文书的规范性有待提升，个别申请办理用时偏长。\n"
            "（二）改进情况：修订答复文书模板，建立办理时限提醒，加强业务培训。")
# The city government: its 政务公开办 (the gkb- users) follows the departments, and its own report is one of the region's.
SUPERVISOR = ("某某市人民政府", "GKB")
DEPARTMENTS = [("某某市商务局", "SWJ", 140), ("某某市自然资源和规划局", "ZRJ", 180)]
CATEGORIES = [("natural", 84), ("commercial", 8), ("research", 1), ("nonprofit", 1), ("legal_service", 4), ("other_org", 2)]
CHANNELS = [("online", 55), ("letter", 20), ("in_person", 12), ("email", 8), ("ordinary_mail", 3), ("fax", 2)]
OUTCOMES = [("granted", 40), ("partial", 8), ("withheld.third_party", 3), ("withheld.process_info", 3),
            ("withheld.internal_affairs", 2), ("withheld.query_matter", 2), ("unavailable.not_held", 26),
            ("unavailable.needs_creation", 3), ("not_processed.petition", 5), ("not_processed.duplicate", 3),
            ("not_processed.confirm_or_reissue", 1)]
TOPICS = ["某地块征收补偿安置方案", "2024年度部门预算执行情况", "某项目环境影响评价批复", "某企业行政处罚决定书",
          "房屋征收决定及公告", "某路段规划许可证及附图", "专项资金分配结果", "招商引资优惠政策文件", "会议纪要"]
NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
# The demo's staff, by login: colleagues see one another by name.
STAFF_NAMES = {"gkb-jiandu": "郑文华", "gkb-admin": "钱立新", "swj-jingban": "王丽", "swj-shenhe": "陈志强",
               "swj-admin": "刘洋", "zrj-jingban": "孙梅", "zrj-shenhe": "周建国", "zrj-admin": "吴磊"}


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _user(username: str, agency: Agency, role: str):  # type: ignore[no-untyped-def]
    User = get_user_model()
    u, _ = User.objects.get_or_create(username=username, defaults={"first_name": STAFF_NAMES.get(username, username)})
    u.set_password(PASSWORD)
    u.is_staff = role == "admin"
    u.save()
    Staff.objects.update_or_create(user=u, defaults={"agency": agency, "role": role})
    return u


def create_demo(today: dt.date | None = None, years: tuple[int, ...] = (2025, 2026), seed: int = 20260101,
                per_year_scale: float = 1.0) -> dict:
    """Fill the database (idempotent: an existing demo is left as it is)."""
    today = today or clock.today()
    if Agency.objects.filter(code=SUPERVISOR[1]).exists():
        return summary()
    rng = random.Random(seed)
    cal = default_calendar()
    with transaction.atomic():
        sup = Agency.objects.create(name=SUPERVISOR[0], code=SUPERVISOR[1], kind="government")
        _user("gkb-jiandu", sup, "supervisor")
        _user("gkb-admin", sup, "admin")  # keeps what all agencies share: the working-day calendar
        for name, code, volume in DEPARTMENTS:
            agency = Agency.objects.create(name=name, code=code, parent=sup)
            prefix = code.lower()
            clerk = _user(f"{prefix}-jingban", agency, "clerk")
            reviewer = _user(f"{prefix}-shenhe", agency, "reviewer")
            _user(f"{prefix}-admin", agency, "admin")
            _register_and_cases(rng, agency, years)
            for year in years:
                n = int(volume * per_year_scale)
                last = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
                first = dt.date(year, 1, 2)
                if last < first:
                    continue
                for _ in range(n):
                    received = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
                    while not cal.is_workday(received):
                        received += dt.timedelta(days=1)
                    if received > last:
                        continue
                    _one(rng, cal, clerk, reviewer, received, today)
            for year in years:
                # A report in progress for each year: drafted text, and section 五 written by the office.
                row = workspace(agency, year).row
                row.sections = {**row.sections, "problems": PROBLEMS}
                row.save()
    return summary()


def _id_no(rng: random.Random, category: str) -> str:
    """A made-up identity number or credit code whose check digit holds, as a real one's does."""
    if category == "natural":
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
        first = f"320102{born:%Y%m%d}{rng.randrange(1000):03d}"
        return first + validate.gb11643_check(first)
    first = "91320102" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return first + validate.gb32100_check(first)


def _one(rng: random.Random, cal, clerk, reviewer, received: dt.date, today: dt.date) -> None:  # type: ignore[no-untyped-def]
    category = _pick(rng, CATEGORIES)
    name = rng.choice(NAMES) + rng.choice("明华强丽军静敏伟芳") + ("" if rng.random() < 0.5 else rng.choice("国平娜"))
    if category != "natural":
        name = f"某某{rng.choice(['贸易', '科技', '律师事务所', '环保协会', '置业'])}有限公司"
    channel = _pick(rng, CHANNELS)
    lag = rng.choice([0, 0, 1, 2])  # sent before it arrived; handed in, received that day (Art. 31)
    r = services.register(clerk, {
        "channel": channel, "submitted_on": received - dt.timedelta(days=0 if channel == "in_person" else lag),
        "received_on": received, "applicant_category": category, "applicant_name": name,
        "applicant_id_no": _id_no(rng, category),
        "applicant_contact": f"13{rng.randrange(10**8, 10**9)}", "content": f"请求公开{rng.choice(TOPICS)}"})
    t = r.tracking_no

    def step(user, event: str, on: dt.date, **inputs) -> bool:  # type: ignore[no-untyped-def]
        if on >= today:
            return False
        try:
            services.record_event(user, t, event, on, inputs)
            return True
        except Refused:
            return False

    def wd(start: dt.date, n: int) -> dt.date:
        d = start
        for _ in range(n):
            d = cal.next_workday(d)
        return d

    start = received
    roll = rng.random()
    if roll < 0.10:  # a request that needs correcting
        if not step(clerk, "request_correction", wd(received, rng.randint(1, 5)),
                    note="请写明所需信息的名称、文号或形成时间"):
            return
        r.refresh_from_db()
        if rng.random() < 0.3:
            step(clerk, "correction_lapsed", r.correction_due + dt.timedelta(days=1))
            return
        start = wd(r.correction_requested_on, rng.randint(2, 10))
        if not step(clerk, "receive_correction", start):
            return
    elif roll < 0.14:  # withdrawn
        step(clerk, "withdraw", wd(received, rng.randint(1, 10)), note="申请人书面撤回")
        return
    elif roll < 0.17:  # a fee notice
        if not step(clerk, "fee_notice", wd(received, rng.randint(3, 8)), basis="per_page", pages=rng.randint(31, 260)):
            return
        if rng.random() < 0.5:
            step(clerk, "fee_lapsed", wd(wd(received, 8), 21))
            return
        if not step(clerk, "fee_paid", wd(received, rng.randint(9, 14))):
            return
    if rng.random() < 0.06:  # consult a third party
        a = wd(start, rng.randint(2, 6))
        if not step(clerk, "start_consultation", a, party="第三方企业"):
            return
        if not step(clerk, "end_consultation", wd(a, rng.randint(5, 15))):
            return
    late = rng.random() < 0.05
    if rng.random() < 0.06 or late:
        step(reviewer, "extend", wd(start, rng.randint(12, 18)), days=20, note="情况复杂，经审核同意延长")
    answer_on = wd(start, rng.randint(3, 19) + (18 if late else 0))
    # Used only by a 部分公开 answer, whose letter lists what is withheld and why.
    withheld = "涉及第三方企业的银行账号和联系人信息｜第三方合法权益"
    if step(reviewer, "answer", answer_on, outcome=_pick(rng, OUTCOMES), withheld=withheld) and rng.random() < 0.6:
        step(clerk, "archive", wd(answer_on, rng.randint(1, 10)))


def _register_and_cases(rng: random.Random, agency: Agency, years: tuple[int, ...]) -> None:
    """Normative documents since 2018, some repealed; the year's table 二 figures; a few
    appeal cases, some undecided at year end."""
    for i in range(rng.randint(18, 30)):
        issued = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(365 * 8 - 60))
        repealed = issued + dt.timedelta(days=rng.randrange(300, 2500)) if rng.random() < 0.3 else None
        RegulatoryDocument.objects.create(agency=agency, kind="normative", title=f"关于加强{rng.choice(TOPICS)}管理的通知",
                                          number=f"{agency.code}规〔{issued.year}〕{i + 1}号", issued_on=issued,
                                          repealed_on=repealed if repealed and repealed < dt.date(2026, 11, 1) else None)
    for year in years:
        YearFigures.objects.create(agency=agency, year=year, values={
            "licensing.decisions": rng.randint(200, 3000), "penalty.decisions": rng.randint(10, 400),
            "coercion.decisions": rng.randint(0, 30), "fees.amount": str(rng.randint(0, 80) * 10000)})
        for _ in range(rng.randint(1, 4)):
            filed = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
            decided = filed + dt.timedelta(days=rng.randint(40, 200))
            undecided = decided > dt.date(2026, 11, 20) or rng.random() < 0.2
            AppealCase.objects.create(agency=agency, kind=rng.choice(["review", "review", "litigation_direct", "litigation_after_review"]),
                                      filed_on=filed, result=None if undecided else rng.choice(["upheld", "upheld", "corrected", "other"]),
                                      decided_on=None if undecided else decided)


def summary() -> dict:
    from django.db.models import Count

    return {
        "agencies": list(Agency.objects.order_by("pk").values_list("name", flat=True)),
        "users": [(s.user.username, s.agency.name, s.get_role_display())
                  for s in Staff.objects.select_related("user", "agency").order_by("pk")],
        "password": PASSWORD,
        "requests": dict(Request.objects.values_list("agency__name").annotate(n=Count("pk"))),
    }
