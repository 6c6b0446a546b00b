"""`ogi demo` (or `django-admin demo`): the demo agencies, a user of each role, two years of
requests compiled into reports, and the supervising office's region with the development
corpus and the bundled samples as its reports; prints the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "建立演示机关、各角色用户、两个年度的申请台账和监督机关的辖区年报，并列出登录信息"

    def handle(self, *args: Any, **options: Any) -> None:
        from ogi.paths import data_dir
        from ogi.web.demo.ledger import create_demo
        from ogi.web.demo.supervision import create_demo_region

        info = create_demo()
        region = create_demo_region()
        out = [f"演示数据位于 {data_dir()}", "机关：" + "、".join(info["agencies"]),
               "登录用户（密码均为 " + info["password"] + "）："]
        out += [f"  {u}　{a}　{role}" for u, a, role in info["users"]]
        out += ["申请数：" + "，".join(f"{k} {v} 件" for k, v in info["requests"].items())]
        out += [f"辖区年报（{region['office']}，/supervision/）：现行 {region['current']} 份，待指定机关 {region['queued']} 份，"
                f"历史版本 {region['replaced']} 份"]
        self.stdout.write("\n".join(out))
