"""
Pairs of cases that differ only in data of one category, for the differential privacy test.

A **base** case is one of the reference territories' example cases, made consistent with
the territory under test (unknown codes replaced or dropped), then varied at random by
*noise*: any of the mutations below, of any category, plus projects and consents, so the
bases cover much more than the examples. The **variant** is the base with one more
mutation, which adds or changes data of one category only, about one data subject (a
member, or the household as a whole). Whatever a recipient may not receive of that
category about that subject must not change what the recipient receives.

Mutations work on the JSON form of the case (the exchange format), so they build only
what an integrator could send; each returns the subject of the data it touched.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from hypothesis import strategies as st

from inclusione_core import Case, Engine, InclusioneError, Purpose, Territory

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLD = "*nucleo"
EVERYONE = "*tutti"
ENUMS = {
    "employment": ["occupato", "disoccupato", "inoccupato", "studente", "pensionato", "inabile", "altro"],
    "education": ["nessuno", "licenza_elementare", "licenza_media", "qualifica_professionale", "diploma", "laurea"],
    "relation": ["richiedente", "coniuge", "figlio", "genitore", "altro"],
}
TEXTS = ["", "Nota riservata del colloquio.", "Diagnosi comunicata dal medico.", "Segue un percorso."]
BIRTHS = [dt.date(1950, 5, 1), dt.date(1972, 2, 29), dt.date(1990, 9, 2), dt.date(2008, 1, 15), dt.date(2019, 7, 7)]

Json = dict[str, Any]
Mutation = Callable[[st.DrawFn, Json], str | None]
"""Change the case in place (drawing what it needs); return the data subject, or None when it does not apply."""


def _example_files() -> list[Path]:
    return sorted((ROOT / "territories").glob("*/examples/*.json"))


def _members(case: Json) -> list[str]:
    return [m["id"] for m in case["household"]["members"]]


@attrs.frozen
class World:
    """A territory under test: its engine, compiled configuration, bases and mutations by category."""

    engine: Engine
    territory: Territory
    bases: tuple[Json, ...]
    by_category: dict[str, tuple[tuple[str, Mutation], ...]]
    noise: tuple[tuple[str, Mutation], ...]
    recipients: tuple[str, ...]


def adapt(case: Json, territory: Territory) -> Json:
    """The case made consistent with a territory: its id, known services, needs, dimensions and measures only."""
    case = copy.deepcopy(case)
    case["territory"] = territory.id
    services = territory.section("services")
    fallback = "ssp" if "ssp" in services else next(iter(services))

    def service(value: str | None) -> str | None:
        return value if value is None or value in services else fallback

    for member in case["household"]["members"]:
        if member.get("services"):
            member["services"] = list(dict.fromkeys(service(x) for x in member["services"]))
    if case.get("access"):
        case["access"]["point"] = service(case["access"]["point"])
        case["access"]["from_service"] = service(case["access"].get("from_service"))
    a = case.get("assessment")
    if a:
        a["by_service"] = service(a.get("by_service"))
        a["levels"] = [lv for lv in a.get("levels", []) if lv["dimension"] in territory.section("dimensions")]
        a["needs"] = [n for n in a.get("needs", []) if n["code"] in territory.section("needs")]
    for r in case.get("referrals", []):
        r["from_service"], r["to_service"] = service(r["from_service"]), service(r["to_service"])
    case["measures"] = [m for m in case.get("measures", []) if m["code"] in territory.section("measures")]
    p = case.get("project")
    if p:
        for si in p.get("interventions", []):
            si["provider"] = service(si.get("provider"))
        for sig in p.get("signatures", []):
            if sig["party"] != "nucleo":
                sig["party"] = service(sig["party"])
    return case


# --------------------------------------------------------------------------- mutations


def _assessed(case: Json) -> Json | None:
    return case.get("assessment")


def _member(draw: st.DrawFn, case: Json) -> Json:
    members: list[Json] = case["household"]["members"]
    return members[draw(st.integers(0, len(members) - 1))]


def add_need(code: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        a = _assessed(case)
        if a is None:
            return None
        member = draw(st.sampled_from([None, *_members(case)]))
        a.setdefault("needs", []).append({"code": code, "member": member, "severity": draw(st.integers(1, 3)),
                                          "note": draw(st.sampled_from(TEXTS[:2]))})
        return member or HOUSEHOLD
    return mutate


def set_level(dimension: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        a = _assessed(case)
        if a is None:
            return None
        levels = [lv for lv in a.get("levels", []) if lv["dimension"] != dimension]
        a["levels"] = [*levels, {"dimension": dimension, "level": draw(st.integers(0, 3))}]
        return HOUSEHOLD
    return mutate


def member_field(name: str, values: st.SearchStrategy[Any]) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        member = _member(draw, case)
        member[name] = draw(values)
        return str(member["id"])
    return mutate


def _care_load(member: Json) -> Json:
    """The member's care load as an object (a format 1 boolean read as the converter reads it: the same data)."""
    load = member.get("care_load")
    if not isinstance(load, dict):
        load = {"other": True} if load else {}
        member["care_load"] = load
    return load


def care_for(part: str) -> Mutation:
    """Another member looked after: a child under 3 or a minor (household), a dependant (health, the household's)."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        member = _member(draw, case)
        others = [x for x in _members(case) if x != member["id"]]
        load = _care_load(member)
        free = [x for x in others if x not in load.get(part, [])]
        if not free:
            return None
        load[part] = [*load.get(part, []), draw(st.sampled_from(free))]
        return HOUSEHOLD if part == "dependants" else str(member["id"])
    return mutate


def care_load_v1(draw: st.DrawFn, case: Json) -> str | None:
    """A care load written in version 1 of the format (a boolean), where it replaces no dependant (health)."""
    member = _member(draw, case)
    load = member.get("care_load")
    if isinstance(load, dict) and load.get("dependants"):
        return None
    member["care_load"] = draw(st.booleans())
    return str(member["id"])


def add_to_member(name: str, values: st.SearchStrategy[Any]) -> Mutation:
    """One more item in a list of a member's record (a job, a qualification, a language...)."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        member = _member(draw, case)
        member[name] = [*(member.get(name) or []), draw(values)]
        return str(member["id"])
    return mutate


def member_service(service: str) -> Mutation:
    """A service that has the member in charge: data of the service's category, about the member."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        member = _member(draw, case)
        if service in member.get("services", []):
            return None
        member["services"] = [*member.get("services", []), service]
        return str(member["id"])
    return mutate


def member_programme(code: str) -> Mutation:
    """A programme the member takes part in (since a date, maybe ended): data of the programme's category."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        member = _member(draw, case)
        if any(p.get("code") == code for p in member.get("programmes", [])):
            return None
        since = draw(st.sampled_from(["2019-02-01", "2023-09-18", "2025-03-03"]))
        until = draw(st.sampled_from([None, "2024-06-30", "2026-12-31"]))
        if until is not None and until < since:
            until = None
        member["programmes"] = [*member.get("programmes", []), {"code": code, "since": since, "until": until}]
        return str(member["id"])
    return mutate


def add_score(code: str, entry: Json) -> Mutation:
    """A record of a scored instrument on the assessment, every item answered within its range."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        assessment = case.get("assessment")
        if not assessment or any(r.get("instrument") == code for r in assessment.get("scores", [])):
            return None
        answers = {}
        for item, spec in entry["items"].items():
            values = spec.get("values") or list(range(spec["min"], spec["max"] + 1))
            answers[item] = draw(st.sampled_from(values))
        assessment["scores"] = [*assessment.get("scores", []), {"instrument": code, "answers": answers}]
        return HOUSEHOLD
    return mutate


def score_category(terr: Territory, entry: Json) -> str:
    """The category a score is filed under: the first special one its items reveal, else the first."""
    cats = [terr.data_category("needs", i["need"]) if "need" in i else
            terr.data_category("dimensions", i["dimension"]) if "dimension" in i else i.get("data_category", "social")
            for i in entry["items"].values()]
    return next((c for c in cats if c in ("health", "addiction", "mental_health", "justice", "records")), cats[0])


JOBS = st.builds(lambda occupation, start, contract: {"occupation": occupation, "start": start, "contract": contract},
                 st.sampled_from(["magazziniere", "cameriera", "operaio tessile"]),
                 st.sampled_from(["2016-03-01", "2020-09-14", "2024-02-05"]),
                 st.sampled_from(["tempo_determinato", "somministrazione", "senza_contratto_regolare"]))
LANGUAGES = st.builds(lambda code, level: {"code": code, "level": level}, st.sampled_from(["it", "ar", "ro", "zh"]),
                      st.sampled_from([None, "A1", "A2", "B1", "madrelingua"]))


def from_service(service: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        access = case.get("access")
        if not access or access.get("from_service") is not None:
            return None
        access["from_service"] = service
        return HOUSEHOLD
    return mutate


def assessed_by(service: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        a = _assessed(case)
        if a is None or a.get("by_service") is not None:
            return None
        a["by_service"] = service
        return HOUSEHOLD
    return mutate


def add_referral(service: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        referrals = case.setdefault("referrals", [])
        sent = dt.date.fromisoformat(case["opened_on"]) + dt.timedelta(days=draw(st.integers(0, 90)))
        referrals.append({"id": f"rx{len(referrals)}", "from_service": "ssp", "to_service": service,
                          "channel": "scheda_invio", "reason": "Invio.", "sent_on": sent.isoformat(),
                          "status": draw(st.sampled_from(["sent", "accepted"]))})
        return HOUSEHOLD
    return mutate


def add_intervention(code: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        p = case.get("project")
        if not p:
            return None
        start = dt.date.fromisoformat(p["start"]) + dt.timedelta(days=draw(st.integers(0, 60)))
        p.setdefault("interventions", []).append({"code": code, "start": start.isoformat()})
        return HOUSEHOLD
    return mutate


def add_done_intervention(code: str) -> Mutation:
    """An intervention done, recorded in the history (an event of kind intervento)."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        on = dt.date.fromisoformat(case["opened_on"]) + dt.timedelta(days=draw(st.integers(0, 400)))
        history = case.setdefault("history", [])
        # inserted before the first later event, the others left in their order (sorting them
        # would change data the recipient may receive: the order of the events)
        at = next((i for i, e in enumerate(history) if e["on"] > on.isoformat()), len(history))
        history.insert(at, {"on": on.isoformat(), "kind": "intervento", "intervention": code})
        return HOUSEHOLD
    return mutate


def set_provider(service: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        p = case.get("project")
        free = [si for si in (p or {}).get("interventions", []) if si.get("provider") is None]
        if not free:
            return None
        free[draw(st.integers(0, len(free) - 1))]["provider"] = service
        return HOUSEHOLD
    return mutate


def add_signature(service: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        p = case.get("project")
        if not p:
            return None
        p.setdefault("signatures", []).append({"party": service, "name": "Firma", "signed_on": p["start"]})
        return HOUSEHOLD
    return mutate


def free_text(where: str) -> Mutation:
    """Free text (records, or social for a referral's reason and objectives) somewhere in the case."""
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        text = draw(st.sampled_from(TEXTS[1:]))
        if where == "request" and case.get("access"):
            case["access"]["request"] = text
        elif where == "level_note" and _assessed(case) and case["assessment"].get("levels"):
            levels = case["assessment"]["levels"]
            levels[draw(st.integers(0, len(levels) - 1))]["note"] = text
        elif where == "history" and case.get("history"):
            case["history"][draw(st.integers(0, len(case["history"]) - 1))]["note"] = text
        elif where == "referral_reason" and case.get("referrals"):
            case["referrals"][draw(st.integers(0, len(case["referrals"]) - 1))]["reason"] = text
        elif where == "objective" and case.get("project"):
            case["project"].setdefault("objectives", []).append({"text": text})
        else:
            return None
        return HOUSEHOLD
    return mutate


def add_measure(code: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        start = dt.date(draw(st.integers(2016, 2025)), 1, 1)
        case.setdefault("measures", []).append({"code": code, "valid_from": start.isoformat()})
        return HOUSEHOLD
    return mutate


def set_household(name: str, values: st.SearchStrategy[Any]) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        case["household"][name] = draw(values)
        return HOUSEHOLD
    return mutate


def add_history_event() -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        case.setdefault("history", []).append({"on": case["opened_on"], "kind": draw(st.sampled_from(
            ["equipe", "valutazione", "colloquio"]))})
        return HOUSEHOLD
    return mutate


# --------------------------------------------------------------------------- noise only


def add_project(draw: st.DrawFn, case: Json) -> str | None:
    if case.get("project"):
        return None
    start = dt.date.fromisoformat(case["opened_on"]) + dt.timedelta(days=draw(st.integers(0, 60)))
    case["project"] = {"id": "px", "start": start.isoformat(), "objectives": [], "commitments": []}
    if draw(st.booleans()):
        case["project"]["monitoring"] = {"every": 30}
    return HOUSEHOLD


def add_consent(categories: list[str], recipients: list[str]) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        member = _member(draw, case)
        given = dt.date(draw(st.integers(2023, 2025)), draw(st.integers(1, 12)), 1)
        consents = case.setdefault("consents", [])
        consent: Json = {
            "id": f"kx{len(consents)}", "member": member["id"],
            "categories": draw(st.lists(st.sampled_from(categories), min_size=1, max_size=4, unique=True)),
            "recipients": draw(st.lists(st.sampled_from(recipients), min_size=1, max_size=3, unique=True)),
            "purposes": draw(st.lists(st.sampled_from([p.value for p in Purpose]), min_size=1, max_size=3,
                                      unique=True)),
            "given_on": given.isoformat(),
            "representative": {"role": "genitore", "name": "Genitore"},
        }
        if draw(st.integers(0, 3)) == 0:
            consent["withdrawn_on"] = (given + dt.timedelta(days=draw(st.integers(1, 800)))).isoformat()
        consents.append(consent)
        return str(member["id"])
    return mutate


def drop(part: str) -> Mutation:
    def mutate(draw: st.DrawFn, case: Json) -> str | None:
        if not case.get(part):
            return None
        case[part] = None if part in ("assessment", "access", "project") else []
        return HOUSEHOLD
    return mutate


# --------------------------------------------------------------------------- the world of a territory


def world(engine: Engine, territory_id: str) -> World:
    """The bases and the mutations of a territory, each mutation under the category of the data it adds."""
    terr = engine.territory(territory_id)
    bases = []
    for path in _example_files():
        case = adapt(json.loads(path.read_text(encoding="utf-8")), terr)
        if load(engine, case) is not None:  # an example that cannot be made consistent is not a base
            bases.append(case)
    by: dict[str, list[tuple[str, Mutation]]] = {}

    def add(category: str, name: str, mutation: Mutation) -> None:
        by.setdefault(category, []).append((name, mutation))

    for code in terr.section("needs"):
        add(terr.data_category("needs", code), f"need:{code}", add_need(code))
    for code in terr.section("dimensions"):
        add(terr.data_category("dimensions", code), f"level:{code}", set_level(code))
    for sid in terr.section("services"):
        cat = terr.data_category("services", sid)
        add(cat, f"from:{sid}", from_service(sid))
        add(cat, f"by:{sid}", assessed_by(sid))
        add(cat, f"referral:{sid}", add_referral(sid))
        add(cat, f"provider:{sid}", set_provider(sid))
        add(cat, f"signature:{sid}", add_signature(sid))
        add(cat, f"member_service:{sid}", member_service(sid))
    for code in terr.section("interventions"):
        add(terr.data_category("interventions", code), f"intervention:{code}", add_intervention(code))
        add(terr.data_category("interventions", code), f"done:{code}", add_done_intervention(code))
    for code in terr.section("measures"):
        add("economic", f"measure:{code}", add_measure(code))
    for code in terr.section("programmes"):
        add(terr.data_category("programmes", code), f"programme:{code}", member_programme(code))
    for code, entry in terr.section("scores").items():
        add(score_category(terr, entry), f"score:{code}", add_score(code, entry))
    add("health", "disability", member_field("disability_percent", st.sampled_from([None, 0, 30, 46, 67, 100])))
    add("health", "socio_sanitary", member_field("in_socio_sanitary_care", st.booleans()))
    add("work", "asks_activation", member_field("asks_activation", st.booleans()))
    add("household", "care_load", care_load_v1)
    add("household", "care_children_under_3", care_for("children_under_3"))
    add("household", "care_minors", care_for("minors"))
    add("health", "care_dependants", care_for("dependants"))
    add("work", "unemployed_since", member_field("unemployed_since",
                                                 st.sampled_from([None, "2022-01-31", "2024-11-30"])))
    add("work", "work_history", add_to_member("work_history", JOBS))
    add("work", "skills", add_to_member("skills", st.sampled_from(["uso del PC", "cucito industriale"])))
    add("work", "driving_licences", member_field("driving_licences", st.sampled_from([None, [], ["B"], ["AM", "C"]])))
    add("education", "qualifications", add_to_member("qualifications", st.builds(
        lambda title: {"title": title}, st.sampled_from(["attestato HACCP", "qualifica OSS"]))))
    add("education", "languages", add_to_member("languages", LANGUAGES))
    add("household", "relation", member_field("relation", st.sampled_from(ENUMS["relation"])))
    add("work", "employment", member_field("employment", st.sampled_from([None, *ENUMS["employment"]])))
    add("education", "education", member_field("education", st.sampled_from([None, *ENUMS["education"]])))
    add("identity", "birth_date", member_field("birth_date", st.sampled_from([None, *(d.isoformat() for d in BIRTHS)])))
    add("economic", "isee", set_household("isee", st.sampled_from([None, 3000.0, 9000.0, 12000.0])))
    add("contact", "municipality", set_household("municipality", st.sampled_from([None, "Prato", "Vaiano"])))
    add("contact", "municipality_code", set_household("municipality_code", st.sampled_from([None, "001272", "004078"])))
    for where in ("request", "level_note", "history"):
        add("records", f"text:{where}", free_text(where))
    for where in ("referral_reason", "objective"):
        add("social", f"text:{where}", free_text(where))
    add("process", "history_event", add_history_event())
    recipients = tuple(sorted(terr.section("privacy", "recipients")))
    special = ["health", "addiction", "mental_health", "justice", "records", "social", "housing", "education"]
    noise = [m for ms in by.values() for m in ms]
    noise += [("project", add_project), ("consent", add_consent(special, list(recipients))),
              ("drop:assessment", drop("assessment")), ("drop:referrals", drop("referrals")),
              ("drop:project", drop("project"))]
    return World(engine=engine, territory=terr, bases=tuple(bases),
                 by_category={c: tuple(ms) for c, ms in sorted(by.items())}, noise=tuple(noise),
                 recipients=recipients)


def draw_base(draw: st.DrawFn, w: World, max_noise: int = 4) -> Json:
    """A base case: an example of the reference territories, varied by up to ``max_noise`` mutations of any kind."""
    case = copy.deepcopy(draw(st.sampled_from(w.bases)))
    for _ in range(draw(st.integers(0, max_noise))):
        _name, noise = draw(st.sampled_from(w.noise))
        noise(draw, case)
    return case


def draw_variant(draw: st.DrawFn, w: World, base: Json) -> tuple[Json, str, str, str]:
    """(variant, category, subject, mutation name): the base with data of one category about one subject added."""
    category = draw(st.sampled_from(sorted(w.by_category)))
    name, mutation = draw(st.sampled_from(w.by_category[category]))
    variant = copy.deepcopy(base)
    subject = mutation(draw, variant)
    return variant, category, subject or "", name


def load(engine: Engine, data: Json) -> Case | None:
    """The case, or None when the engine refuses it (a mutation may make a case the territory rejects)."""
    try:
        case = engine.load_case(data)
        engine.check(case)
    except InclusioneError:
        return None
    return case
