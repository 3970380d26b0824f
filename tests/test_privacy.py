"""
Privacy by design (issue 3): categories on the case format, the recipient view, consent
dates, pseudonymised exports and the disclosure audit.

The views are checked on ``zona_privacy``, a layer written here whose flows the tests
control (see ``privacy_oracle``); the last tests run the same oracle on the Prato
configuration and examples, and skip while Prato has no privacy flows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, get_args

import attrs
import pytest
from hypothesis import given
from privacy_oracle import (
    DEFS,
    FLOWS,
    UNKNOWN_RECIPIENT,
    ZONE,
    allowed_categories,
    check_case_view,
    check_result_view,
    write_zone,
    zone_engine,
)
from strategies import as_of_dates, italia_cases

from inclusione_core import (
    Assessment,
    AuditRecord,
    Case,
    Consent,
    DataCategory,
    DimensionLevel,
    Engine,
    InputError,
    InvalidCaseError,
    JsonlAuditLog,
    MemoryAuditLog,
    Need,
    Policy,
    Purpose,
    Recipient,
    Referral,
    Territory,
    TerritoryNotFoundError,
    get_plugin_manager,
)
from inclusione_core._categories import BY_CODE, Export
from inclusione_core._fields import CATEGORY_KEY, EXPORT_KEY, ID_PATTERN, SCHEMA_KEY
from inclusione_core._privacy import view_case
from inclusione_core._schema import generate_case_schema, load_schema
from inclusione_core.testing import FixedClock, minimal_case

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2025, 3, 1)
CLOCK = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
SPECIAL = {"health", "addiction", "mental_health", "justice", "records"}


@pytest.fixture(scope="module")
def zone_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A configuration directory holding the ``zona_privacy`` layer."""
    return write_zone(tmp_path_factory.mktemp("zone"))


@pytest.fixture
def clock() -> FixedClock:
    """The moment of the disclosures (consents are judged on its day): 1 March 2025, 9:30 UTC."""
    return FixedClock(CLOCK)


@pytest.fixture
def engine(zone_root: Path, clock: FixedClock) -> Engine:
    """A fresh engine on the zone, with its own in-memory audit and a fixed clock."""
    return zone_engine(zone_root, audit=MemoryAuditLog(), clock=clock)


@pytest.fixture(scope="module")
def zone(zone_root: Path) -> Territory:
    """The compiled ``zona_privacy`` territory."""
    return zone_engine(zone_root).territory(ZONE)


def consent(categories: tuple[str, ...], recipients: tuple[str, ...], purposes: tuple[Purpose, ...],
            given_on: dt.date = dt.date(2025, 1, 1), **kw: Any) -> Consent:
    """A consent of member m1."""
    return Consent(id=kw.pop("id", "k1"), member="m1", categories=tuple(DataCategory(c) for c in categories),
                   recipients=recipients, purposes=purposes, given_on=given_on, **kw)


def assessed(*needs: str, **kw: Any) -> Case:
    """A zone case assessed on 1 February 2025 with these needs."""
    assessment = Assessment(date=dt.date(2025, 2, 1), needs=tuple(Need(code=n) for n in needs),
                            levels=(DimensionLevel(dimension="lavoro", level=2),))
    return minimal_case(territory=ZONE, assessment=assessment, **kw)


# --------------------------------------------------------------------------- 1. categories on the format


def _models_reachable_from_case() -> dict[str, type]:
    seen: dict[str, type] = {}

    def visit(cls: type) -> None:
        if cls.__name__ in seen:
            return
        seen[cls.__name__] = cls
        attrs.resolve_types(cls)
        for a in attrs.fields(cls):
            for t in (a.type, *get_args(a.type), *(x for arg in get_args(a.type) for x in get_args(arg))):
                if isinstance(t, type) and attrs.has(t):
                    visit(t)

    visit(Case)
    return seen


MODELS = _models_reachable_from_case()


def test_every_property_of_the_case_schema_has_a_category() -> None:
    """Each property of each object in the shipped case schema has x-category: a category or a configured one."""
    codes = {c.value for c in DataCategory}
    by_code = {b.value for b in BY_CODE}
    assert set(DEFS) == set(MODELS)
    for name, body in DEFS.items():
        assert body["properties"], name
        for prop_name, prop in body["properties"].items():
            where = f"{name}.{prop_name}"
            category = prop.get("x-category")
            assert category is not None, f"{where} has no x-category"
            if isinstance(category, dict):
                assert set(category) == {"from-configuration"} and category["from-configuration"] in by_code, where
                assert "x-special-category" not in prop, where
            else:
                assert category in codes, where
                assert prop.get("x-special-category", False) is (category in SPECIAL), where


def test_the_shipped_schema_annotations_come_from_the_models() -> None:
    """x-category, x-special-category and x-export of the shipped schema equal each field's metadata (one marking)."""
    assert load_schema("case")["$defs"] == generate_case_schema()["$defs"]
    for name, cls in MODELS.items():
        for a in attrs.fields(cls):
            prop = DEFS[name]["properties"][a.name]
            category = a.metadata[CATEGORY_KEY]
            expected = {"from-configuration": category.value} if isinstance(category, BY_CODE) else category.value
            assert prop["x-category"] == expected, f"{name}.{a.name}"
            export = a.metadata[EXPORT_KEY]
            assert prop.get("x-export", "keep") == export.value, f"{name}.{a.name}"


def test_every_field_reachable_from_a_case_is_marked() -> None:
    """Every attrs field reachable from Case has a category and an export rule in its metadata."""
    assert {"Case", "Household", "Member", "Consent", "Referral", "Need", "Signature"} <= set(MODELS)
    for name, cls in MODELS.items():
        for a in attrs.fields(cls):
            assert isinstance(a.metadata.get(CATEGORY_KEY), DataCategory | BY_CODE), f"{name}.{a.name}"
            assert isinstance(a.metadata.get(EXPORT_KEY), Export), f"{name}.{a.name}"


def test_the_special_categories_are_those_of_gdpr_articles_9_and_10() -> None:
    """Health, addiction, mental health (art. 9), justice (art. 10) and exchanged records are special; no other."""
    assert {c.value for c in DataCategory if c.special} == SPECIAL
    assert all(c.label_it for c in DataCategory)


def test_special_fields_are_marked_special_in_the_schema() -> None:
    """Disability and socio-sanitary care are health data, a referral's snapshot is records, all marked special."""
    member = DEFS["Member"]["properties"]
    assert member["disability_percent"]["x-category"] == "health"
    assert member["disability_percent"]["x-special-category"] is True
    assert member["in_socio_sanitary_care"]["x-special-category"] is True
    assert DEFS["Referral"]["properties"]["snapshot"]["x-category"] == "records"
    assert DEFS["Need"]["properties"]["code"]["x-category"] == {"from-configuration": "needs"}


# Identifier-like fields (id pattern) that an export may keep: they name services, not people.
SERVICE_IDS = {("Access", "point"), ("Access", "from_service"), ("Assessment", "by_service"),
               ("Referral", "from_service"), ("Referral", "to_service"), ("ScheduledIntervention", "provider"),
               ("Member", "services")}


def test_direct_identifiers_and_free_text_never_reach_an_export_as_they_are() -> None:
    """Ids of people are hashed, birth dates cut to the year, free text dropped; a new id field must be reviewed."""
    for name, cls in MODELS.items():
        for a in attrs.fields(cls):
            schema = a.metadata[SCHEMA_KEY]
            # a map keyed by codes (a score's answers: item code -> value) is no free text
            pattern = schema.get("pattern") or schema.get("propertyNames", {}).get("pattern")
            export = a.metadata[EXPORT_KEY]
            is_text = str in (a.type, *get_args(a.type)) and pattern is None
            if is_text:
                assert export is Export.DROP, f"free text {name}.{a.name} must be dropped from exports"
            if pattern == ID_PATTERN and (name, a.name) not in SERVICE_IDS:
                # dropped is stricter than hashed (Household.municipality_code: a place, contact data, dropped)
                assert export in (Export.HASH, Export.DROP), f"identifier {name}.{a.name} must be hashed in exports"
    assert MODELS["Member"].__attrs_attrs__.birth_date.metadata[EXPORT_KEY] is Export.YEAR  # type: ignore[attr-defined]
    assert MODELS["Referral"].__attrs_attrs__.snapshot.metadata[EXPORT_KEY] is Export.DROP  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- 2. the policy and consents


def test_a_law_flow_discloses_without_consent(engine: Engine, zone: Territory) -> None:
    """zq_cpi receives work and identity data for a referral on the law basis, with its citation."""
    case = assessed("zq_work")
    view = engine.disclose_case(case, recipient="zq_cpi", purpose="referral", as_of=DAY)
    by = {d.category: d for d in view.disclosed}
    assert by["work"].basis == "law" and by["work"].consents == ()
    assert by["work"].flow == "zq_cpi_invio"
    assert str(by["work"].legal_basis) == "D.Lgs. n. 147/2017, art. 21"
    assert view.data["assessment"]["needs"] == [{"code": "zq_work", "member": None, "severity": 2, "note": None}]
    allowed = allowed_categories(zone, case, "zq_cpi", Purpose.REFERRAL, DAY)
    assert "health" not in allowed
    check_case_view(zone, case, view, allowed, engine.to_json(case))


def test_law_wins_over_consent_for_the_same_category(engine: Engine) -> None:
    """Identity is listed under both a law and a consent flow for zq_serd: it is disclosed on the law basis."""
    case = assessed(consents=(consent(("identity",), ("zq_serd",), (Purpose.EQUIPE,)),))
    view = engine.disclose_case(case, recipient="zq_serd", purpose="equipe", as_of=DAY)
    (identity,) = [d for d in view.disclosed if d.category == "identity"]
    assert identity.basis == "law" and identity.flow == "zq_serd_equipe"


def test_special_data_needs_a_consent_for_that_recipient_and_purpose(engine: Engine) -> None:
    """An addiction need reaches zq_serd for the equipe only under a consent naming addiction, zq_serd and equipe."""
    def shown(*consents: Consent) -> list[str]:
        view = engine.disclose_case(assessed("zq_addiction", "zq_work", consents=consents), recipient="zq_serd",
                                    purpose="equipe", as_of=DAY)
        return [n["code"] for n in view.data["assessment"]["needs"]] if "assessment" in view.data else []

    full = consent(("addiction",), ("zq_serd",), (Purpose.EQUIPE,))
    assert shown() == []  # and process is law for zq_serd: the assessment is there, the need is not
    assert shown(full) == ["zq_addiction"]
    assert shown(attrs.evolve(full, recipients=("zq_cpi",))) == []
    assert shown(attrs.evolve(full, purposes=(Purpose.MONITORING,))) == []
    assert shown(attrs.evolve(full, categories=(DataCategory.HEALTH,))) == []


@pytest.mark.parametrize(("day", "valid"), [
    (dt.date(2024, 12, 31), False),  # before it was given
    (dt.date(2025, 1, 1), True),  # the day it was given
    (dt.date(2025, 6, 30), True),  # its last day
    (dt.date(2025, 7, 1), False),  # expired
])
def test_a_consent_is_valid_from_its_date_through_its_expiry(engine: Engine, clock: FixedClock, day: dt.date,
                                                             valid: bool) -> None:
    """A consent opens data from the day it is given through its expiry date, not before, not after."""
    k = consent(("addiction",), ("zq_serd",), (Purpose.EQUIPE,), expires_on=dt.date(2025, 6, 30))
    assert k.valid_on(day) is valid
    clock.set(day)
    view = engine.disclose_case(assessed("zq_addiction", consents=(k,)), recipient="zq_serd", purpose="equipe",
                                as_of=DAY)
    assert ("addiction" in view.categories_withheld()) is not valid


@pytest.mark.parametrize(("day", "valid"), [(dt.date(2025, 3, 31), True), (dt.date(2025, 4, 1), False),
                                            (dt.date(2026, 1, 1), False)])
def test_a_withdrawal_takes_effect_on_its_date(engine: Engine, clock: FixedClock, day: dt.date, valid: bool) -> None:
    """Withdrawn on 1 April: the data went out on 31 March, not on 1 April nor after."""
    k = consent(("addiction",), ("zq_serd",), (Purpose.EQUIPE,), withdrawn_on=dt.date(2025, 4, 1))
    clock.set(day)
    view = engine.disclose_case(assessed("zq_addiction", consents=(k,)), recipient="zq_serd", purpose="equipe",
                                as_of=DAY)
    (addiction,) = [d for d in view.disclosed if d.category == "addiction"] or [None]
    assert (addiction is not None) is valid
    if valid:
        assert addiction is not None and addiction.basis == "consent" and addiction.consents == ("k1",)
    else:
        (w,) = [w for w in view.withheld if w.category == "addiction"]
        assert w.path == "$.assessment.needs[0]"


def test_withheld_items_say_why_in_italian_and_english(engine: Engine) -> None:
    """Each withheld item names its category and whether a consent is missing or no basis exists at all."""
    view = engine.disclose_case(assessed("zq_addiction", "zq_justice"), recipient="zq_serd", purpose="equipe",
                                as_of=DAY)
    by_path = {w.path: w for w in view.withheld}
    addiction = by_path["$.assessment.needs[0]"]
    assert addiction.category == "addiction"
    assert "dipendenze" in addiction.reason_it and "consenso valido di ogni componente adulto" in addiction.reason_it
    assert "without a valid consent" in addiction.reason_en and "2025-03-01" in addiction.reason_en
    justice = by_path["$.assessment.needs[1]"]
    assert justice.category == "justice" and "senza base giuridica" in justice.reason_it
    assert "without a legal basis" in justice.reason_en


def test_a_recipient_no_flow_names_receives_nothing_and_everything_is_listed(engine: Engine, zone: Territory) -> None:
    """A recipient kind no flow names gets every top-level field null and a withheld entry for each; the engine
    refuses it outright when the configuration does not provide for it, before any audit record."""
    case = assessed("zq_work")
    view = view_case(case, zone, Recipient(UNKNOWN_RECIPIENT), Purpose.REFERRAL, DAY, engine.converter, at=CLOCK)
    assert view.data == {a.name: None for a in attrs.fields(Case)} and view.disclosed == ()
    with pytest.raises(InputError) as info:
        engine.disclose_case(case, recipient=UNKNOWN_RECIPIENT, purpose="referral", as_of=DAY)
    assert [(d.path, d.value, d.rule) for d in info.value.details] == [("$.recipient", UNKNOWN_RECIPIENT, "recipient")]
    with pytest.raises(InputError, match="purpose"):
        engine.disclose_case(case, recipient="zq_cpi", purpose="gossip", as_of=DAY)
    assert engine.disclosure_history(case.id) == []
    assert {w.path for w in view.withheld} == {f"$.{a.name}" for a in attrs.fields(Case)}


def test_coded_items_keep_their_order_and_withheld_paths_index_the_case(engine: Engine, zone: Territory) -> None:
    """Withheld needs are listed at their index in the case; the needs shown keep their relative order."""
    case = assessed("zq_health", "zq_work", "zq_addiction", "zq_education")
    view = engine.disclose_case(case, recipient="zq_cpi", purpose="referral", as_of=DAY)
    assert [n["code"] for n in view.data["assessment"]["needs"]] == ["zq_work", "zq_education"]
    assert {w.path: w.category for w in view.withheld if "needs" in w.path and w.category != "records"} == {
        "$.assessment.needs[0]": "health", "$.assessment.needs[2]": "addiction"}
    allowed = allowed_categories(zone, case, "zq_cpi", Purpose.REFERRAL, DAY)
    check_case_view(zone, case, view, allowed, engine.to_json(case))


def test_an_unknown_code_is_treated_as_special(engine: Engine, zone: Territory) -> None:
    """A need code the configuration does not know is records data (special): the view withholds it, and the
    engine refuses the case before anything leaves."""
    assert zone.data_category("needs", "mai_visto") == "records"
    view = view_case(assessed("mai_visto"), zone, Recipient("zq_cpi"), Purpose.REFERRAL, DAY, engine.converter,
                     at=CLOCK)
    assert [(w.path, w.category) for w in view.withheld if "needs" in w.path] == [("$.assessment.needs[0]", "records")]
    with pytest.raises(InvalidCaseError, match=r"\$\.assessment\.needs\[0\]\.code"):
        engine.disclose_case(assessed("mai_visto"), recipient="zq_cpi", purpose="referral", as_of=DAY)
    assert engine.disclosure_history("caso-1") == []


def test_a_consent_about_special_data_is_not_shown_where_that_data_may_not_go(engine: Engine) -> None:
    """A consent about addiction data reveals an addiction: the CPI, which may not receive it, does not see it."""
    case = assessed(consents=(consent(("addiction",), ("zq_serd",), (Purpose.EQUIPE,)),))
    view = engine.disclose_case(case, recipient="zq_cpi", purpose="referral", as_of=DAY)
    assert "addiction" not in json.dumps(view.data)


def test_the_data_flow_table_has_one_row_per_flow_with_its_basis(zone: Territory) -> None:
    """Policy.table lists each flow with recipient, purpose, categories, basis, legal basis, source and file."""
    rows = {r["flow"]: r for r in Policy(zone).table()}
    assert set(FLOWS) <= set(rows)
    for code, (recipient, purpose, basis, categories) in FLOWS.items():
        row = rows[code]
        assert (row["recipient"], row["purpose"], row["basis"]) == (recipient, purpose, basis)
        assert row["categories"] == list(categories)
        assert row["legal_basis"].startswith("D.Lgs. n. 147/2017" if basis == "law" else "Reg. (UE) 2016/679")
        assert row["source"].startswith("impostazione predefinita, modificabile: privacy_oracle")
        assert row["defined_in"] == f"{ZONE}/territory.yaml"
        assert row["recipient_label"] == f"Destinatario {recipient}"


def test_view_case_alone_does_not_audit(engine: Engine, zone: Territory) -> None:
    """The pure view function writes nothing; only the engine's disclose methods record a disclosure."""
    view_case(assessed(), zone, Recipient("zq_cpi"), Purpose.REFERRAL, DAY, engine.converter, at=CLOCK)
    assert engine.disclosure_history("caso-1") == []


# --------------------------------------------------------------------------- 3. pseudonymised exports


def test_exports_are_stable_per_key_and_join_across_cases(engine: Engine) -> None:
    """The same key gives the same pseudonyms across calls and cases; another key gives others; ids never appear."""
    one = minimal_case(territory=ZONE, id="caso-A")
    two = attrs.evolve(minimal_case(territory=ZONE, id="caso-B"), operator="Maria Rossi")
    key, other = b"k" * 16, b"q" * 16
    first = engine.export_statistics([one, two], key=key, as_of=DAY, recipient="zq_stat")
    again = engine.export_statistics([one, two], key=key, as_of=DAY, recipient="zq_stat")
    assert first == again
    assert first[0]["household"]["id"] == first[1]["household"]["id"]  # same household id: same pseudonym
    assert first[0]["id"] != first[1]["id"]
    assert first[0]["household"]["members"][0]["birth_date"] == 1985
    moved = engine.export_statistics([one], key=other, as_of=DAY, recipient="zq_stat")
    assert moved[0]["id"] != first[0]["id"] and moved[0]["id"].startswith("p-")
    text = json.dumps(first)
    for secret in ("caso-A", "caso-B", "nucleo-1", "Maria Rossi", "1985-06-01", '"m1"'):
        assert secret not in text
    assert "operator" not in first[1]


def test_an_export_key_must_be_long_enough(engine: Engine) -> None:
    """A pseudonymisation key shorter than 16 bytes is refused before anything is disclosed."""
    with pytest.raises(ValueError, match="16 byte"):
        engine.export_statistics([assessed()], key=b"corta", as_of=DAY, recipient="zq_stat")
    assert engine.disclosure_history("caso-1") == []


def test_exports_go_through_the_statistics_view(engine: Engine) -> None:
    """An export carries only what the statistics flow allows: no flow, nothing but the withheld list in the audit."""
    (record,) = engine.export_statistics([assessed("zq_work")], key=b"k" * 16, as_of=DAY, recipient="zq_cpi")
    assert record and set(record.values()) == {None}
    (audit,) = engine.disclosure_history("caso-1")
    assert audit.purpose == "statistics" and audit.pseudonymised and audit.channel == "export"
    assert audit.disclosed == ()


# --------------------------------------------------------------------------- 4. the disclosure audit


def test_each_disclosure_appends_one_record_with_everything_asked(engine: Engine) -> None:
    """A record: when, recipient, purpose, date, channel, categories and basis, categories not disclosed, chain."""
    k = consent(("addiction",), ("zq_serd",), (Purpose.EQUIPE,))
    case = assessed("zq_addiction", "zq_justice", consents=(k,))
    recipient = Recipient(kind="zq_serd", service="serd-po", name="Dr.ssa Bianchi")
    view = engine.disclose_case(case, recipient=recipient, purpose=Purpose.EQUIPE, as_of=DAY, channel="scheda")
    (record,) = engine.disclosure_history("caso-1")
    assert record.at == "2025-03-01T09:30:00+00:00"
    assert (record.case_id, record.territory, record.recipient) == ("caso-1", ZONE, "zq_serd")
    assert (record.recipient_service, record.recipient_name) == ("serd-po", "Dr.ssa Bianchi")
    assert (record.purpose, record.as_of, record.channel) == ("equipe", "2025-03-01", "scheda")
    disclosed = {d["category"]: d for d in record.disclosed}
    assert disclosed["addiction"] == {"category": "addiction", "basis": "consent", "flow": "zq_serd_equipe_consenso",
                                      "legal_basis": "Reg. (UE) 2016/679 (GDPR), art. 9 par. 2 lett. a",
                                      "consents": ["k1"], "members": ["m1"]}
    assert disclosed["process"]["basis"] == "law" and disclosed["process"]["consents"] == []
    assert set(disclosed) == {d.category for d in view.disclosed}
    assert record.not_disclosed == tuple(sorted({w.category for w in view.not_disclosed}))
    assert "justice" in record.not_disclosed and "addiction" not in record.not_disclosed
    assert "items" not in json.dumps(attrs.asdict(record))  # no per-case counts of what was withheld
    assert (record.seq, record.prev, record.mac) == (1, "0" * 64, "sha256") and len(record.hash) == 64
    assert record.pseudonymised is False
    assert record.config_digest == engine.territory(ZONE).digest


def test_the_history_of_a_case_lists_its_disclosures_in_order(engine: Engine) -> None:
    """disclosure_history(case) returns that case's records oldest first, from views, result views and exports."""
    a, b = assessed(), minimal_case(territory=ZONE, id="caso-2")
    engine.disclose_case(a, recipient="zq_cpi", purpose="referral", as_of=DAY)
    engine.disclose_case(b, recipient="zq_ts", purpose="equipe", as_of=DAY)
    engine.disclose_result(engine.assess(a, as_of=DAY), a, recipient="zq_serd", purpose="equipe", channel="cli")
    engine.export_statistics([a, b], key=b"k" * 16, as_of=DAY, recipient="zq_stat")
    history = engine.disclosure_history("caso-1")
    assert [(r.recipient, r.purpose, r.channel) for r in history] == [
        ("zq_cpi", "referral", "api"), ("zq_serd", "equipe", "cli"), ("zq_stat", "statistics", "export")]
    assert [r.case_id for r in engine.disclosure_history("caso-2")] == ["caso-2", "caso-2"]
    assert engine.disclosure_history("nessuno") == []


def test_a_result_is_disclosed_only_with_its_own_case(engine: Engine) -> None:
    """disclose_result refuses another case than the result's: consents and audit would be another person's."""
    result = engine.assess(assessed(), as_of=DAY)
    with pytest.raises(ValueError, match="caso-1"):
        engine.disclose_result(result, minimal_case(territory=ZONE, id="altro"), recipient="zq_cpi",
                               purpose="referral")
    assert engine.disclosure_history("altro") == engine.disclosure_history("caso-1") == []


def test_a_failing_audit_stops_the_disclosure(zone_root: Path) -> None:
    """When the audit cannot be written, no view is returned: nothing leaves without its record."""

    class Broken(MemoryAuditLog):
        def append(self, record: AuditRecord) -> None:
            raise OSError("disco pieno")

    engine = zone_engine(zone_root, audit=Broken())
    with pytest.raises(OSError, match="disco pieno"):
        engine.disclose_case(assessed(), recipient="zq_cpi", purpose="referral", as_of=DAY)
    with pytest.raises(OSError, match="disco pieno"):
        engine.export_statistics([assessed()], key=b"k" * 16, as_of=DAY, recipient="zq_stat")


def _records(engine: Engine, cases: list[Case]) -> None:
    for i, case in enumerate(cases):
        engine.disclose_case(case, recipient=("zq_cpi", "zq_serd")[i % 2], purpose=("referral", "equipe")[i % 2],
                             as_of=DAY, channel=f"canale_{i}")


def test_the_jsonl_audit_round_trips_and_is_append_only(zone_root: Path, tmp_path: Path) -> None:
    """Records read back from the JSON Lines file equal those written; later appends never change earlier lines."""
    path = tmp_path / "audit" / "disclosures.jsonl"
    memory = MemoryAuditLog()
    cases = [assessed("zq_addiction", consents=(consent(("addiction",), ("zq_serd",), (Purpose.EQUIPE,)),)),
             minimal_case(territory=ZONE, id="caso-2"), assessed("zq_work")]
    for log in (JsonlAuditLog(path), memory):
        _records(zone_engine(zone_root, audit=log, clock=FixedClock(CLOCK)), cases[:2])
    before = path.read_bytes()
    assert JsonlAuditLog(path).records() == memory.records()
    assert len(before.splitlines()) == 2

    later = zone_engine(zone_root, audit=JsonlAuditLog(path), clock=FixedClock(CLOCK))
    _records(later, cases[2:])
    after = path.read_bytes()
    assert after.startswith(before), "an earlier line changed"
    assert len(after.splitlines()) == 3
    assert [r.channel for r in later.disclosure_history("caso-1")] == ["canale_0", "canale_0"]
    assert all(json.loads(line)["case_id"] for line in after.splitlines())
    assert JsonlAuditLog(tmp_path / "missing.jsonl").records() == []


# --------------------------------------------------------------------------- result views on real results


@given(case=italia_cases(), as_of=as_of_dates())
def test_assessed_results_show_no_reason_beyond_what_may_flow(zone_root: Path, case: Case, as_of: dt.date) -> None:
    """For real pipeline results on generated cases, each recipient's result view passes the oracle."""
    engine = _shared_engine(zone_root)
    case = attrs.evolve(case, territory=ZONE)
    result = engine.assess(case, as_of=as_of)
    for kind, purpose in {(r, Purpose(p)) for r, p, _b, _c in FLOWS.values()}:
        view = engine.disclose_result(result, case, recipient=kind, purpose=purpose)
        allowed = allowed_categories(engine.territory(ZONE), case, kind, purpose, CLOCK.date())
        check_result_view(result, view, allowed, engine.to_json)


_ENGINES: dict[Path, Engine] = {}


def _shared_engine(root: Path) -> Engine:
    if root not in _ENGINES:
        _ENGINES[root] = zone_engine(root, clock=FixedClock(CLOCK))
    return _ENGINES[root]


# --------------------------------------------------------------------------- Prato (when configured)


def _prato(clock: FixedClock | None = None) -> Engine:
    engine = Engine(clock=clock or FixedClock(CLOCK))
    try:
        flows = engine.territory("prato").section("privacy", "flows")
    except TerritoryNotFoundError:  # Prato not installed
        flows = {}
    if not flows:
        pytest.skip("Prato has no privacy flows configured")
    return engine


PRATO_EXAMPLES = sorted((ROOT / "territories" / "prato" / "examples").glob("*.json"))


@pytest.mark.parametrize("example", PRATO_EXAMPLES, ids=lambda p: p.stem)
def test_prato_views_of_the_examples_pass_the_oracle(example: Path) -> None:
    """On Prato's configuration and examples, every recipient and purpose gets exactly what a basis allows."""
    clock = FixedClock(CLOCK)
    engine = _prato(clock)
    prato = engine.territory("prato")
    case = engine.load_case(json.loads(example.read_text(encoding="utf-8")), str(example))
    as_of = max(k.given_on for k in case.consents) if case.consents else case.opened_on
    clock.set(as_of)  # the day the consents were given: they count
    result = engine.assess(case, as_of=as_of)
    full = engine.to_json(case)
    kinds = {f["recipient"] for f in prato.section("privacy", "flows").values()}
    for kind in sorted(kinds):
        for purpose in Purpose:
            allowed = allowed_categories(prato, case, kind, purpose, as_of)
            view = engine.disclose_case(case, recipient=kind, purpose=purpose, as_of=as_of)
            check_case_view(prato, case, view, allowed, full)
            check_result_view(result, engine.disclose_result(result, case, recipient=kind, purpose=purpose),
                              allowed, engine.to_json)


def test_prato_scheda_di_invio_carries_no_special_data_without_consent() -> None:
    """To the CPI for a referral no special category flows by law in Prato: an addiction need stays out."""
    engine = _prato()
    prato = engine.territory("prato")
    law = {c for f in prato.section("privacy", "flows").values()
           if f["recipient"] == "cpi" and f["purpose"] == "referral" and f["basis"] == "law" for c in f["categories"]}
    assert {"work", "education"} <= law
    assert not law & SPECIAL
    case = attrs.evolve(minimal_case(territory="prato"), assessment=Assessment(
        date=DAY, needs=(Need(code="dipendenze"), Need(code="lavoro"))),
        referrals=(Referral(id="r1", from_service="ssp", to_service="cpi", channel="scheda_invio",
                            reason="invio", sent_on=DAY),))
    view = engine.disclose_case(case, recipient="cpi", purpose="referral", as_of=DAY)
    codes = [n["code"] for n in view.data.get("assessment", {}).get("needs", [])]
    assert "dipendenze" not in codes
    assert any(w.category == "addiction" for w in view.withheld)
    assert view.data["referrals"][0]["snapshot"] is None  # records: withheld, the key stays



def test_a_rule_that_reads_a_masked_grade_is_withheld_with_it() -> None:
    """A complexity decided by an addiction need is masked, and so are the activability and pathway that read it."""
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    case = engine.load_case({
        "id": "c1", "territory": "italia", "opened_on": "2025-01-10",
        "household": {"id": "h1", "members": [{"id": "m1", "birth_date": "1980-02-03", "employment": "disoccupato"}]},
        "assessment": {"date": "2025-01-12", "levels": [{"dimension": "lavoro", "level": 2}],
                       "needs": [{"code": "dipendenze"}, {"code": "lavoro"}]},
    })
    result = engine.assess(case, as_of=dt.date(2025, 3, 1))
    assert result.profile.profile.complexity is not None  # alta, because of the addiction need
    assert "addiction" in result.profile.profile.derived_from["activability"]
    view = engine.disclose_result(result, case, recipient="cpi", purpose="referral")
    shown = view.data["profile"]
    assert (shown["profile"]["complexity"], shown["profile"]["activability"]) == (None, None)
    assert shown["profile"]["pathway"] == "non_comunicato" and shown["profile"]["derived_from"] == {}
    rules = [r["rule"] for r in shown["reasons"]]
    assert "profilo.attivabilita" not in rules and not any(r.startswith("percorso.") for r in rules)
    assert "alta" not in json.dumps([r["inputs"] for r in shown["reasons"]])
