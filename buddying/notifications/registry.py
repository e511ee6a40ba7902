"""The reminder rules every installed app contributes, collected when Django starts.

Each app that has reminders declares ``RULES = [ReminderRule(...), ...]`` in its own
``reminders.py`` (see ``buddying.common.reminders``). ``autodiscover`` imports that module of
every installed app, as Django's admin does with ``admin.py``, so adding an app (or a rule)
touches no other app.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from buddying.common.reminders import ReminderRule

MODULE = "reminders"

_rules: dict[str, ReminderRule] = {}


def register(rule: ReminderRule) -> None:
    """Add a rule; its name is the key stored in reminders and preferences, so it must be unique."""
    existing = _rules.get(rule.name)
    if existing is not None and existing is not rule:
        raise ValueError(f"Two reminder rules are named {rule.name!r}")
    _rules[rule.name] = rule


def autodiscover() -> None:
    """Collect ``RULES`` from every installed app's ``reminders.py``."""
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, MODULE):
            continue
        module = import_module(f"{config.name}.{MODULE}")
        for rule in getattr(module, "RULES", ()):
            register(rule)


def rules() -> list[ReminderRule]:
    """Every rule, in the order people see them."""
    return sorted(_rules.values(), key=lambda rule: (rule.order, rule.name))


def get(name: str) -> ReminderRule | None:
    return _rules.get(name)


def label(name: str) -> str:
    rule = _rules.get(name)
    return rule.label if rule else name.replace("_", " ").capitalize()
