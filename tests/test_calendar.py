"""Working days (issue 14, item 2): Monday to Friday, less public holidays and the patron saint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import Assessment, ConfigurationError, Deadline, Engine, MeasureEnrolment, get_plugin_manager
from inclusione_core._calendar import WorkCalendar, calendar_of
from inclusione_core.testing import minimal_case

D = dt.date
ZONA = "id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: '1'\nextends: italia\n"


def deadlines(case: Any, as_of: dt.date, engine: Engine | None = None) -> dict[str, Deadline]:
    """The deadlines of a case on a date, by code."""
    engine = engine or Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    return {d.code: d for d in engine.assess(case, as_of=as_of).deadlines}


CALENDARS = st.sampled_from([
    WorkCalendar(), WorkCalendar(subdivision="PO"), WorkCalendar(subdivision="FI"),
    WorkCalendar(patron_saint=(6, 24)), WorkCalendar(subdivision="RM", patron_saint=(1, 31)),
])


@given(calendar=CALENDARS, start=st.dates(min_value=D(1990, 1, 1), max_value=D(2099, 6, 30)),
       n=st.integers(0, 260))
def test_adding_working_days_never_lands_on_a_holiday_and_counts_back(
    calendar: WorkCalendar, start: dt.date, n: int,
) -> None:
    """
    ``start`` plus n working days is a working day (for n >= 1: never a Saturday, a Sunday,
    a public holiday or the patron saint's day), the n-th one: counting the working days back
    from it gives n, and the day before it has n - 1.
    """
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n
    if n == 0:
        assert end == start
        return
    assert end.weekday() < 5 and not calendar.is_holiday(end) and calendar.is_working_day(end)
    assert calendar.working_days_between(start, end - dt.timedelta(days=1)) == n - 1


def test_public_holidays_and_patron_saints() -> None:
    """Italy's public holidays; a province adds its capital's patron saint; a territory may add its own."""
    italy, prato, firenze = WorkCalendar(), WorkCalendar(subdivision="PO"), WorkCalendar(subdivision="FI")
    for holiday in (D(2024, 1, 1), D(2024, 4, 1), D(2024, 4, 25), D(2024, 5, 1), D(2024, 8, 15), D(2024, 12, 26)):
        assert not italy.is_working_day(holiday)  # Capodanno, Pasquetta, Liberazione, Lavoro, Ferragosto, S. Stefano
    assert italy.is_working_day(D(2024, 6, 24)) and prato.is_working_day(D(2024, 6, 24))
    assert not firenze.is_working_day(D(2024, 6, 24))  # San Giovanni, patron of Florence
    assert not WorkCalendar(patron_saint=(6, 24)).is_working_day(D(2024, 6, 24))
    assert not italy.is_working_day(D(2024, 6, 1))  # a Saturday
    assert italy.holidays_between(D(2024, 4, 20), D(2024, 5, 5)) == [D(2024, 4, 25), D(2024, 5, 1)]
    assert calendar_of(None) == italy
    assert calendar_of({"country": "IT", "subdivision": "PO", "patron_saint": {"month": 12, "day": 26}}) == \
        WorkCalendar(subdivision="PO", patron_saint=(12, 26))
    assert WorkCalendar(subdivision="PO", patron_saint=(6, 24)).describe() == "IT-PO + 06-24"


# --------------------------------------------------------------------------- configuration


def test_a_zone_names_its_province_and_its_patron_saint(write_layer: Any) -> None:
    """Working days follow the calendar the zone names: Florence's San Giovanni shifts a 20-working-day term."""
    root = write_layer("zona", ZONA + (
        "calendar:\n  override: true\n  subdivision: FI\n  source: {kind: default, note: prova}\n"))
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    rdc = MeasureEnrolment(code="rdc", valid_from=D(2020, 1, 1), valid_to=D(2023, 12, 31))
    case = minimal_case(measures=(rdc,), assessment=Assessment(date=D(2022, 6, 1)))
    national = deadlines(case, D(2022, 6, 2))["rdc_patto"]
    florence = deadlines(attrs.evolve(case, territory="zona"), D(2022, 6, 2), engine)["rdc_patto"]
    # 2 June (Festa della Repubblica) everywhere; 24 June (a Friday) only in Florence
    assert (national.due, florence.due) == (D(2022, 6, 30), D(2022, 7, 1))
    assert florence.reason.inputs["calendario"] == "IT-FI"
    assert florence.reason.inputs["festivi_esclusi"] == ["2022-06-02", "2022-06-24"]
    root = write_layer("zona", ZONA + (
        "calendar:\n  override: true\n  patron_saint: {month: 6, day: 29, label: {it: 'Santi Pietro e Paolo',"
        " en: 'Saints Peter and Paul'}}\n  source: {kind: default, note: prova}\n"))
    own = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    assert deadlines(attrs.evolve(case, territory="zona"), D(2022, 6, 2), own)["rdc_patto"].due == D(2022, 7, 1)


def test_prato_counts_its_patron_saint() -> None:
    """The Prato layer names the province PO; its patron saint, Santo Stefano, is a national holiday too."""
    engine = Engine()
    calendar = calendar_of(engine.territory("prato").setting("calendar"))
    assert calendar == WorkCalendar(subdivision="PO")
    assert calendar_of(engine.territory("toscana").setting("calendar")) == WorkCalendar()


@pytest.mark.parametrize(("body", "path", "rule"), [
    ("calendar:\n  override: true\n  subdivision: XY\n  source: {kind: default, note: prova}\n",
     "$.calendar.subdivision", "calendar.subdivision"),
    ("calendar:\n  override: true\n  patron_saint: {month: 2, day: 30}\n  source: {kind: default, note: prova}\n",
     "$.calendar.patron_saint", "calendar.patron_saint"),
])
def test_calendar_errors(write_layer: Any, body: str, path: str, rule: str) -> None:
    """An unknown subdivision and a day that does not exist are errors, with their line."""
    root = write_layer("zona", ZONA + body)
    with pytest.raises(ConfigurationError) as info:
        Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root]).territory("zona")
    (detail,) = [d for d in info.value.details if d.rule == rule]
    assert detail.path == path and detail.line is not None
