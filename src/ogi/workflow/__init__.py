"""The workflows of ogi on one machine (`machine.py`): a disclosure request's
(`requests.py`, with its derived deadline) and an annual report's review and publication
(`reports.py`)."""

from .machine import Context, Machine, Refused, Transition

__all__ = ["Context", "Machine", "Refused", "Transition"]
