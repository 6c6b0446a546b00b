"""The checks of rules.md. Importing this package registers every rule."""

from . import arithmetic, continuity, form, metadata, plausibility, similarity, workspace  # noqa: F401
from .registry import RULES, check, check_all

__all__ = ["RULES", "check", "check_all"]
