"""The vocabulary: frozen models, field constraints, and their small helpers."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import (
    Assessment,
    Citation,
    DimensionLevel,
    Household,
    IntervalUnit,
    MeasureEnrolment,
    Member,
    Message,
    MonitoringRhythm,
    Need,
    Reason,
    SourceDocument,
)
from inclusione_core._fields import FieldValueError
from inclusione_core.testing import minimal_case

D = dt.date


def test_models_are_frozen() -> None:
    """Assigning to a model's attribute raises: models are immutable values."""
    case = minimal_case()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        case.id = "other"  # type: ignore[misc]


def test_models_take_keywords_only() -> None:
    """Models are built with keyword arguments only."""
    with pytest.raises(TypeError):
        Member("m1")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("build", "field", "rule"),
    [
        (lambda: Member(id="bad id"), "id", "pattern"),
        (lambda: Member(id="m1", relation="Figlio"), "relation", "pattern"),
        (lambda: Member(id="m1", disability_percent=101), "disability_percent", "minimum/maximum"),
        (lambda: Household(id="h", members=()), "members", "minItems"),
        (lambda: Household(id="h", members=(Member(id="m1"),), isee=-1.0), "isee", "minimum/maximum"),
        (lambda: DimensionLevel(dimension="lavoro", level=4), "level", "minimum/maximum"),
        (lambda: Need(code="lavoro", severity=0), "severity", "minimum/maximum"),
        (lambda: MonitoringRhythm(every=0), "every", "minimum/maximum"),
        (lambda: Assessment(date=D(2025, 1, 1), work_ready_members=("ok", "not ok")),
         "work_ready_members", "pattern"),
    ],
)
def test_field_constraints_are_enforced_on_construction(build, field: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    """Building a model with a value outside its constraints raises FieldValueError naming the field."""
    with pytest.raises(FieldValueError) as info:
        build()
    assert info.value.name == field
    assert info.value.rule == rule


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2030, 12, 31)),
       st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=364))
def test_age_counts_birthdays_passed(birth: dt.date, years: int, extra_days: int) -> None:
    """Member.age is k on the k-th birthday and stays k until the next one."""
    member = Member(id="m", birth_date=birth)
    if birth.month == 2 and birth.day == 29:
        birth = birth.replace(day=28)  # counted from 1 March in common years
        member = Member(id="m", birth_date=birth)
    birthday = birth.replace(year=birth.year + years)
    next_birthday = birth.replace(year=birth.year + years + 1)
    on = min(birthday + dt.timedelta(days=extra_days), next_birthday - dt.timedelta(days=1))
    assert member.age(birthday) == years
    assert member.age(on) == years
    assert Member(id="m").age(on) is None


def test_age_changes_on_the_birthday() -> None:
    """A member turns 18 on the 18th birthday, not the day before."""
    m = Member(id="m", birth_date=D(2007, 3, 3))
    assert m.age(D(2025, 3, 2)) == 17
    assert m.age(D(2025, 3, 3)) == 18


def test_assessment_level_and_needs() -> None:
    """Assessment.level gives the highest recorded level of a dimension (0 when absent); need_codes the codes."""
    a = Assessment(
        date=D(2025, 1, 1),
        levels=(DimensionLevel(dimension="lavoro", level=1), DimensionLevel(dimension="lavoro", level=3)),
        needs=(Need(code="dipendenze"), Need(code="lavoro")),
    )
    assert a.level("lavoro") == 3
    assert a.level("abitare") == 0
    assert a.need_codes() == {"dipendenze", "lavoro"}


def test_measure_enrolment_and_case_measures_on_a_date() -> None:
    """A measure is active from valid_from to valid_to inclusive; Case.measures_on lists those active."""
    rdc = MeasureEnrolment(code="rdc", valid_from=D(2020, 1, 1), valid_to=D(2023, 12, 31))
    adi = MeasureEnrolment(code="adi", valid_from=D(2024, 1, 1))
    case = minimal_case(measures=(rdc, adi))
    assert case.measures_on(D(2023, 12, 31)) == {"rdc"}
    assert case.measures_on(D(2024, 1, 1)) == {"adi"}
    assert case.measures_on(D(2019, 12, 31)) == frozenset()


def test_monitoring_rhythm_in_days() -> None:
    """A rhythm in weeks counts 7 days per week."""
    assert MonitoringRhythm(every=3, unit=IntervalUnit.WEEKS).days() == 21
    assert MonitoringRhythm(every=30).days() == 30


def test_reason_message_by_language_and_citation_text() -> None:
    """Reason.message picks Italian by default and English on request; a Citation reads as an operator cites."""
    dgrt = SourceDocument(id="dgrt_544_2023", kind="delibera", issuer="Regione Toscana", number="DGRT n. 544/2023",
                          date=dt.date(2023, 5, 15))
    cite = Citation.of(dgrt, section="Le equipe multiprofessionali", quote="equipe allargata")
    reason = Reason(rule="r", territory="toscana", message_it="ciao", message_en="hello", source=cite)
    assert reason.message() == "ciao"
    assert reason.message("en") == "hello"
    assert str(cite) == "Regione Toscana, DGRT n. 544/2023, § Le equipe multiprofessionali, «equipe allargata»"
    assert (cite.document, cite.issuer, cite.number, cite.date, cite.binding) == (
        "dgrt_544_2023", "Regione Toscana", "DGRT n. 544/2023", dt.date(2023, 5, 15), True)
    assert cite.text("en") == cite.text_en == cite.text_it  # nothing to translate in a binding act's citation
    assert str(Citation.of(SourceDocument(id="l", kind="norma", number="L. n. 68/1999"), section="art. 1")) == (
        "L. n. 68/1999, art. 1")


def test_a_citation_says_when_its_document_does_not_bind() -> None:
    """Guidelines and articles say what they are; an act read through an article names it, with the article's kind."""
    article = SourceDocument(id="art", kind="articolo_descrittivo", issuer="F. Di Maria, N. Imprescia",
                             title="Buone pratiche", date=dt.date(2021, 12, 3))
    assert not article.binding
    cite = Citation.of(article, section="La rete", quote="parole")
    assert cite.text("it") == ('F. Di Maria, N. Imprescia, "Buone pratiche", 3 dicembre 2021 (articolo descrittivo di'
                               ' una prassi, non vincolante), § La rete, «parole»')
    assert cite.text("en") == ('F. Di Maria, N. Imprescia, "Buone pratiche", 3 December 2021 (article describing a'
                               ' practice, not binding), § La rete, «parole»')
    guide = SourceDocument(id="g", kind="linee_guida", issuer="SIL", title="Linee guida")
    assert str(Citation.of(guide, section="§5")) == 'SIL, "Linee guida" (linee guida, non vincolanti), §5'
    act = SourceDocument(id="dgrt", kind="delibera", issuer="Regione Toscana", number="DGRT n. 544/2023")
    via = SourceDocument(id="cdp", kind="articolo_descrittivo", issuer="Comunità di Pratica", title="L'integrazione",
                         describes=("dgrt",))
    read = Citation.of(act, section="Le equipe", via=via)
    assert read.binding and read.via == via
    assert str(read) == ('Regione Toscana, DGRT n. 544/2023, nella descrizione di Comunità di Pratica, '
                         '"L\'integrazione" (articolo descrittivo di atti, non vincolante), § Le equipe')


def test_a_default_is_never_a_quote_and_speaks_both_languages() -> None:
    """A project default reads "impostazione predefinita, modificabile" with its note, never inside «»."""
    plain = Citation.default("soglie scelte dal progetto")
    assert plain.is_default and not plain.binding and plain.kind == "default"
    assert str(plain) == "impostazione predefinita, modificabile: soglie scelte dal progetto"
    assert plain.text("en") == "default setting, can be changed: soglie scelte dal progetto"
    coded = Citation.default(Message("review rhythm set by the personalised project (project.monitoring)"))
    assert coded.note == "ritmo delle verifiche fissato dal progetto personalizzato (project.monitoring)"
    assert type(coded.note) is str  # the JSON holds the Italian; the English is in text_en
    assert coded.text("en") == ("default setting, can be changed: review rhythm set by the personalised project"
                                " (project.monitoring)")
    guide = SourceDocument(id="g", kind="linee_guida", issuer="SIL", title="Linee guida")
    open_value = Citation.default("massimo scelto dal progetto", document=guide, section="§5")
    assert open_value.document == "g" and open_value.quote == ""
    assert str(open_value) == ('impostazione predefinita, modificabile: massimo scelto dal progetto — riferimento:'
                               ' SIL, "Linee guida" (linee guida, non vincolanti), §5')
    for cite in (plain, coded, open_value):
        assert "«" not in cite.text_it and "«" not in cite.text_en


def test_exported_names_resolve() -> None:
    """Every name in inclusione_core.__all__ resolves to an object."""
    import inclusione_core

    for name in inclusione_core.__all__:
        assert getattr(inclusione_core, name) is not None, name
