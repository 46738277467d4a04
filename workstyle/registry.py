"""Extension points that apps fill in their AppConfig.ready(); workstyle imports no app.

- home cards: ``register_home_card(key, fn, order)``; ``fn(request)`` returns a HomeCard or None.
- KPI tiles: ``register_kpi(key, fn, order)``; ``fn(user)`` returns a list of KpiTile.
- navigation: ``register_nav(NavItem)``.
- calendar feed sources: ``register_feed_source(key, fn)``; ``fn(user, scope, section)`` yields
  ``icalendar.Event`` objects belonging to that user only (or to the section, for the section scope).
- demo loaders: ``register_demo(key, fn, order)``; ``fn(*, small: bool, stdout)`` builds demo data idempotently.
- websocket routes: ``register_websocket_routes(patterns)``.
- periodic tasks: ``register_periodic(key, task, every_seconds)``; ``manage.py run_scheduler`` enqueues
  each django-tasks ``task`` on that period (``make run`` starts it beside the task worker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HomeCard:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass
class KpiTile:
    """One target of the DX plan. Values are numbers in ``unit``; status is on_track / at_risk / off_track / no_data."""

    key: str
    title: str
    unit: str
    baseline: float | None
    target: float | None
    current: float | None
    status: str
    note: str = ""
    url: str = ""
    baseline_label: str = ""
    target_label: str = ""
    order: int = 100

    @property
    def status_label(self) -> str:
        from django.utils.translation import gettext as _

        return {
            "on_track": _("On track"),
            "at_risk": _("At risk"),
            "off_track": _("Off track"),
            "no_data": _("No data yet"),
        }.get(self.status, self.status)


@dataclass
class NavItem:
    label: Any
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every logged-in user
    order: int = 100


_home_cards: dict[str, tuple[int, Callable]] = {}
_kpis: dict[str, tuple[int, Callable]] = {}
_nav: list[NavItem] = []
_feed_sources: dict[str, Callable] = {}
_demo: dict[str, tuple[int, Callable]] = {}
_ws_routes: list = []
_periodic: dict[str, tuple[Any, int]] = {}


def register_home_card(key: str, fn: Callable, order: int = 100) -> None:
    _home_cards[key] = (order, fn)


def register_kpi(key: str, fn: Callable, order: int = 100) -> None:
    _kpis[key] = (order, fn)


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _nav):
        _nav.append(item)


def register_feed_source(key: str, fn: Callable) -> None:
    _feed_sources[key] = fn


def register_demo(key: str, fn: Callable, order: int = 100) -> None:
    _demo[key] = (order, fn)


def register_websocket_routes(patterns: Iterable) -> None:
    for p in patterns:
        if p not in _ws_routes:
            _ws_routes.append(p)


def home_cards() -> list[tuple[str, Callable]]:
    return [(k, fn) for k, (o, fn) in sorted(_home_cards.items(), key=lambda kv: kv[1][0])]


def kpi_providers() -> list[tuple[str, Callable]]:
    return [(k, fn) for k, (o, fn) in sorted(_kpis.items(), key=lambda kv: kv[1][0])]


def nav_items() -> list[NavItem]:
    return sorted(_nav, key=lambda n: n.order)


def feed_sources() -> dict[str, Callable]:
    return dict(_feed_sources)


def demo_loaders() -> list[tuple[str, Callable]]:
    return [(k, fn) for k, (o, fn) in sorted(_demo.items(), key=lambda kv: kv[1][0])]


def websocket_routes() -> list:
    return list(_ws_routes)


def register_periodic(key: str, task: Any, every_seconds: int) -> None:
    _periodic[key] = (task, every_seconds)


def periodic_tasks() -> dict[str, tuple[Any, int]]:
    return dict(_periodic)
