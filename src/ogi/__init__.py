"""ogi — 政府信息公开工作年度报告系统 (Open Government Information annual reports)."""

__version__ = "0.1.0"
