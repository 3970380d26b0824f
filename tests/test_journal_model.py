"""The journal's pure model: decide, evolve, the referral machine reused, type names, upcasting."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from journal_samples import DAY, MARKER, assess_with_marker, clock, ids, meta, open_case

from inclusione_core import InputError, TransitionError, journal, referrals
from inclusione_core._convert import make_converter
from inclusione_core._models import Project, ReferralStatus


def _opened(case_id: str = "c-1") -> journal.CaseState:
    state = journal.CaseState(case_id=case_id)
    for event in journal.decide(state, open_case(case_id, members=2), clock=clock, new_id=ids()):
        state = journal.evolve(state, event)
    return state


def _run(state: journal.CaseState, command: journal.Command) -> tuple[journal.CaseState, list[journal.Event]]:
    events = journal.decide(state, command, clock=clock, new_id=ids(f"{command.command_id}-"))
    for event in events:
        state = journal.evolve(state, event)
    return state, events


def test_event_type_names_are_stable() -> None:
    """The registry names every event by its stable type name, never by a module path."""
    assert set(journal.EVENT_TYPES) == {
        "case.opened", "member.added", "case.assessed", "referral.sent", "referral.answered", "referral.closed",
        "referral.withdrawn", "project.signed", "project.reviewed", "consent.given", "consent.withdrawn",
        "case.closed", "case.rectified", "subject.erased"}
    for name, cls in journal.EVENT_TYPES.items():
        assert cls.type == name and "." not in cls.__module__.removeprefix("inclusione_core.journal._model")


def test_open_case_numbers_events_and_builds_the_case() -> None:
    """Opening a case gives case.opened then one member.added per member, versions from 1, one command id."""
    events = journal.decide(journal.CaseState(case_id="c-1"), open_case(members=2), clock=clock, new_id=ids())
    assert [e.type for e in events] == ["case.opened", "member.added", "member.added"]
    assert [e.version for e in events] == [1, 2, 3]
    assert {e.command_id for e in events} == {"open-c-1"} and events[0].occurred_at == clock()
    state = journal.replay("c-1", events)
    assert state.version == 3 and state.case is not None
    assert [m.id for m in state.case.household.members] == ["m1", "m2"]
    assert state.case.status.value == "accesso" and state.case.history[0].kind == "accesso"


def test_commands_on_an_unopened_or_closed_case_are_refused() -> None:
    """A command before the case is opened, or after it is closed, is an input error naming the rule."""
    with pytest.raises(InputError) as exc:
        journal.decide(journal.CaseState(case_id="c-1"), assess_with_marker(), clock=clock, new_id=ids())
    assert exc.value.details[0].rule == "opened" and exc.value.details[0].path == "$.case_id"
    state, _ = _run(_opened(), journal.CloseCase(**meta(command_id="k-close"), on=DAY))
    assert state.case is not None and state.case.status.value == "chiuso"
    with pytest.raises(InputError) as exc:
        _run(state, assess_with_marker())
    assert exc.value.details[0].rule == "closed"
    with pytest.raises(InputError) as exc:
        journal.decide(journal.CaseState(case_id="c-1"), open_case(members=0), clock=clock, new_id=ids())
    assert exc.value.details[0].path == "$.members"


def test_referral_steps_go_through_the_referral_state_machine() -> None:
    """An illegal referral step raises the referrals module's TransitionError; a legal one updates the case."""
    state, _ = _run(_opened(), journal.SendReferral(
        **meta(command_id="k-send"), referral_id="r-1", from_service="pua", to_service="cpi",
        channel="scheda_invio", reason="bisogno lavorativo", on=DAY))
    with pytest.raises(TransitionError) as exc:
        _run(state, journal.CloseReferral(**meta(command_id="k-close"), referral_id="r-1", on=DAY))
    assert exc.value.current == "sent" and exc.value.requested == "closed"
    state, events = _run(state, journal.AnswerReferral(**meta(command_id="k-ans"), referral_id="r-1", accepted=True,
                                                       on=DAY, by="cpi prato"))
    assert events[0].type == "referral.answered"
    assert state.case is not None and state.case.referrals[0].status is ReferralStatus.ACCEPTED
    assert [h.kind for h in state.case.history][-2:] == ["invio", "invio"]


def test_a_failed_decision_emits_nothing_and_leaves_the_state() -> None:
    """decide is pure: a refused command returns no events and the state it was given is unchanged."""
    state = _opened()
    before = attrs.evolve(state)
    with pytest.raises(InputError):
        _run(state, journal.ReviewProject(**meta(command_id="k-r"), project_id="p-1", on=DAY))
    assert state == before


def test_evolve_refuses_events_out_of_sequence_or_of_another_case() -> None:
    """Only the next version of the same case folds in."""
    state = _opened()
    event = journal.decide(state, journal.CloseCase(**meta(command_id="k"), on=DAY), clock=clock, new_id=ids())[0]
    with pytest.raises(InputError, match="sequenza"):
        journal.evolve(state, attrs.evolve(event, version=event.version + 1))
    with pytest.raises(InputError):
        journal.evolve(state, attrs.evolve(event, case_id="c-2"))


def test_project_reviews_and_consents_become_events() -> None:
    """Signing and reviewing a project, giving and withdrawing a consent all fold into the Case."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    state, _ = _run(_opened(), journal.SignProject(**meta(command_id="k-p"), on=DAY,
                                                   project=Project(id="p-1", start=DAY)))
    state, events = _run(state, journal.ReviewProject(**meta(command_id="k-r"), project_id="p-1",
                                                      on=DAY + dt.timedelta(days=30), note="procede"))
    assert events[0].data == journal.ProjectReviewed(project_id="p-1", on=DAY + dt.timedelta(days=30),
                                                     note="procede")
    consent = Consent(id="cs-1", member="m1", categories=(DataCategory.WORK,), recipients=("cpi",),
                      purposes=(Purpose.REFERRAL,), given_on=DAY + dt.timedelta(days=31))
    state, _ = _run(state, journal.GiveConsent(**meta(command_id="k-c"), consent=consent))
    state, events = _run(state, journal.WithdrawConsent(**meta(command_id="k-w"), consent_id="cs-1",
                                                        on=DAY + dt.timedelta(days=40)))
    assert events[0].subject == "m1"
    assert state.case is not None and state.case.status.value == "monitoraggio"
    assert state.case.project is not None and state.case.project.reviews_done == (DAY + dt.timedelta(days=30),)
    assert state.case.consents[0].withdrawn_on == DAY + dt.timedelta(days=40)
    with pytest.raises(InputError):
        _run(state, journal.WithdrawConsent(**meta(command_id="k-w2"), consent_id="cs-1", on=DAY))


def test_rectification_replaces_a_member_and_names_the_event() -> None:
    """A rectification is an event: the projection takes the new data, the rectified event stays."""
    from inclusione_core._models import Member

    state = _opened()
    state, events = _run(state, journal.Rectify(**meta(command_id="k-rect"), rectifies=next(iter(state.event_ids)),
                                                on=DAY, member=Member(id="m2", relation="coniuge"), reason="errore"))
    assert events[0].type == "case.rectified" and events[0].subject == "m2"
    assert state.case is not None and state.case.household.members[1].relation == "coniuge"
    with pytest.raises(InputError) as exc:
        _run(state, journal.Rectify(**meta(command_id="k-r2"), rectifies="nope", on=DAY,
                                    member=Member(id="m2")))
    assert exc.value.details[0].path == "$.rectifies"


def test_upcaster_brings_project_reviewed_v1_to_v2() -> None:
    """A version 1 project.reviewed payload (``project``, no note) reads as version 2."""
    assert journal.upcast("project.reviewed", 1, {"project": "p-1", "on": "2025-04-01"}) == {
        "project_id": "p-1", "on": "2025-04-01"}
    from inclusione_core.journal._model import from_payload

    data = from_payload("project.reviewed", 1, {"project": "p-1", "on": "2025-04-01"}, make_converter())
    assert data == journal.ProjectReviewed(project_id="p-1", on=dt.date(2025, 4, 1), note="")
    with pytest.raises(InputError) as exc:
        journal.upcast("project.reviewed", 3, {})
    assert exc.value.details[0].rule == "maximum"
    with pytest.raises(InputError) as exc:
        journal.upcast("case.exploded", 1, {})
    assert exc.value.details[0].path == "$.type"


def test_payloads_round_trip_through_open_and_sealed_parts() -> None:
    """A payload split into open and sealed parts and read back is the same payload."""
    from inclusione_core.journal._model import from_payload, to_payload

    converter = make_converter()
    command = assess_with_marker()
    data = journal.CaseAssessed(on=DAY, assessment=command.assessment)
    opened, sealed_part = to_payload(data, converter)
    assert set(sealed_part) == {"assessment"} and "assessment" not in opened
    assert from_payload("case.assessed", 1, {**opened, **sealed_part}, converter) == data
    assert from_payload("case.assessed", 1, opened, converter) == journal.CaseAssessed(on=DAY)


def test_concurrency_conflict_is_typed_and_picklable() -> None:
    """The conflict names the case and both versions, in Italian, and survives pickling."""
    error = journal.ConcurrencyConflict("c-1", 3, 4)
    assert (error.case_id, error.expected, error.actual) == ("c-1", 3, 4)
    assert "c-1" in str(error) and "4" in str(error) and "3" in str(error) and "ricarica" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is journal.ConcurrencyConflict and again.expected == 3 and str(again) == str(error)


_ORACLE = {
    "accept": lambda r, d: referrals.accept(r, on=d),
    "refuse": lambda r, d: referrals.refuse(r, on=d, reason="no", code="altro"),
    "close": lambda r, d: referrals.close(r, on=d),
    "withdraw": lambda r, d: referrals.withdraw(r, on=d),
}


def _referral_command(action: str, common: dict[str, Any]) -> journal.Command:
    if action == "accept":
        return journal.AnswerReferral(**common, accepted=True)
    if action == "refuse":
        return journal.AnswerReferral(**common, accepted=False, reason="no", code="altro")
    if action == "close":
        return journal.CloseReferral(**common)
    return journal.WithdrawReferral(**common)


ACTIONS = st.lists(st.tuples(st.sampled_from(["accept", "refuse", "close", "withdraw"]), st.integers(-2, 3)),
                   max_size=6)


@given(ACTIONS)
def test_referral_events_agree_with_the_referral_functions(actions: list[tuple[str, int]]) -> None:
    """Any sequence of referral steps: the journal accepts and refuses exactly as referrals.py does, to the status."""
    state, _ = _run(_opened(), journal.SendReferral(
        **meta(command_id="k-send"), referral_id="r-1", from_service="pua", to_service="cpi",
        channel="scheda_invio", reason="lavoro", on=DAY))
    oracle = referrals.send(id="r-1", from_service="pua", to_service="cpi", channel="scheda_invio", reason="lavoro",
                            on=DAY, snapshot={})
    day = DAY
    for n, (action, delta) in enumerate(actions):
        day = day + dt.timedelta(days=delta)
        common = {**meta(command_id=f"k{n}"), "referral_id": "r-1", "on": day}
        command = _referral_command(action, common)
        step = _ORACLE[action]
        try:
            expected = step(oracle, day)
        except (TransitionError, InputError) as exc:
            with pytest.raises(type(exc)):
                _run(state, command)
            day = day - dt.timedelta(days=delta)
            continue
        version = state.version
        state, events = _run(state, command)
        oracle = expected
        assert state.version == version + len(events) == version + 1
        assert state.case is not None and state.case.referrals[0].status is oracle.status


@given(st.lists(st.sampled_from(["review", "consent", "assess"]), max_size=8))
def test_replaying_the_events_gives_the_state_that_decided_them(steps: list[str]) -> None:
    """Folding a case's events again from nothing gives the same state: evolve is a function of the events."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    state, events = _run(_opened(), journal.SignProject(**meta(command_id="k-p"), on=DAY,
                                                        project=Project(id="p-1", start=DAY)))
    log = list(journal.decide(journal.CaseState(case_id="c-1"), open_case(members=2), clock=clock, new_id=ids()))
    log += events
    for n, step in enumerate(steps):
        on = DAY + dt.timedelta(days=n + 1)
        command: journal.Command
        if step == "review":
            command = journal.ReviewProject(**meta(command_id=f"k{n}"), project_id="p-1", on=on)
        elif step == "consent":
            command = journal.GiveConsent(**meta(command_id=f"k{n}"), consent=Consent(
                id=f"cs{n}", member="m1", categories=(DataCategory.WORK,), recipients=("cpi",),
                purposes=(Purpose.REFERRAL,), given_on=on))
        else:
            command = assess_with_marker(command_id=f"k{n}")
            command = attrs.evolve(command, assessment=attrs.evolve(command.assessment, date=on))
        state, events = _run(state, command)
        log += events
    assert [e.version for e in log] == list(range(1, len(log) + 1))
    assert journal.replay("c-1", log) == state


# --------------------------------------------------------------------------- sealed codes, the territory's checks

REVEALING = {"ReferralSent": {"from_service", "to_service"}, "ReferralAnswered": {"by", "code"},
             "ConsentGiven": {"consent"}}


@pytest.mark.parametrize("name", sorted(REVEALING))
def test_codes_that_may_reveal_a_special_category_are_sealed(name: str) -> None:
    """A referral's services (a SerD), who answered and the refusal code, a consent's content: never in clear."""
    assert REVEALING[name] <= set(journal.sealed_fields(getattr(journal, name)))


def _toscana() -> Any:
    from inclusione_core import Engine

    return Engine().territory("toscana")


def _refer(state: journal.CaseState, to: str = "siil", command_id: str = "k-s") -> journal.CaseState:
    return _run(state, journal.SendReferral(**meta(command_id=command_id), referral_id="inv-1", from_service="ssp",
                                            to_service=to, channel="scheda_invio", reason="lavoro", on=DAY))[0]


def test_with_its_territory_a_refusal_code_is_checked_when_the_answer_is_recorded() -> None:
    """An unknown refusal code is refused at once, naming the service's codes; a known one is recorded."""
    territory = _toscana()
    state = _refer(_opened())
    answer = journal.AnswerReferral(**meta(command_id="k-a"), referral_id="inv-1", accepted=False, on=DAY,
                                    reason="non ammissibile", code="inesistente")
    with pytest.raises(InputError) as exc:
        journal.decide(state, answer, clock=clock, new_id=ids(), territory=territory)
    detail = exc.value.details[0]
    assert (detail.path, detail.value, detail.rule) == ("$.referrals[0].response.code", "inesistente",
                                                        "ref:services.refusal_codes")
    assert "accesso_diretto" in str(detail.message)
    journal.decide(state, answer, clock=clock, new_id=ids())  # without the territory: the model's checks only
    events = journal.decide(state, attrs.evolve(answer, code="accesso_diretto"), clock=clock, new_id=ids(),
                            territory=territory)
    assert events[0].data.code == "accesso_diretto"  # type: ignore[attr-defined]


def test_with_its_territory_an_unknown_service_is_refused_but_earlier_problems_do_not_block() -> None:
    """A referral to a service the territory lacks is refused; a problem the case already had is not the command's."""
    territory = _toscana()
    with pytest.raises(InputError) as exc:
        journal.decide(_opened(), journal.SendReferral(
            **meta(command_id="k-s"), referral_id="inv-1", from_service="ssp", to_service="servizio_ignoto",
            channel="scheda_invio", reason="lavoro", on=DAY), clock=clock, new_id=ids(), territory=territory)
    assert [(d.path, d.value) for d in exc.value.details] == [("$.referrals[0].to_service", "servizio_ignoto")]
    state = _refer(_opened(), to="servizio_ignoto")  # recorded without the territory (an older record)
    events = journal.decide(state, journal.CloseCase(**meta(command_id="k-x"), on=DAY), clock=clock, new_id=ids(),
                            territory=territory)
    assert [e.type for e in events] == ["case.closed"]


def _erased(event: journal.Event) -> journal.Event:
    """The event as a store reads it once its subject's key is destroyed: its open part only."""
    from inclusione_core.journal._model import from_payload, to_payload

    converter = make_converter()
    opened, sealed_part = to_payload(event.data, converter)
    return attrs.evolve(event, data=from_payload(event.type, event.schema_version, opened, converter),
                        erased=bool(sealed_part))


def test_an_erased_referral_and_consent_leave_the_case_and_their_steps_stay_as_history() -> None:
    """Replayed without their sealed part, a referral's and a consent's steps are history only."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    state = journal.CaseState(case_id="c-1")
    recorded: list[journal.Event] = []
    consent = Consent(id="cs-1", member="m1", categories=(DataCategory.ADDICTION,), recipients=("serd",),
                      purposes=(Purpose.REFERRAL,), given_on=DAY)
    for command in (open_case(members=2),
                    journal.SendReferral(**meta(command_id="k-s"), referral_id="inv-1", from_service="ssp",
                                         to_service="serd", channel="scheda_invio", reason="lavoro", on=DAY),
                    journal.AnswerReferral(**meta(command_id="k-a"), referral_id="inv-1", accepted=False, on=DAY,
                                           by="serd", code="non_in_carico", reason="non seguito"),
                    journal.GiveConsent(**meta(command_id="k-c"), consent=consent),
                    journal.WithdrawConsent(**meta(command_id="k-w"), consent_id="cs-1", on=DAY)):
        state, events = _run(state, command)
        recorded += events
    assert state.case is not None and state.case.referrals[0].to_service == "serd"
    replayed = journal.replay("c-1", [_erased(e) for e in recorded])
    assert replayed.case is not None and replayed.case.referrals == () and replayed.case.consents == ()
    assert replayed.shredded == {"inv-1", "cs-1"}
    assert [(h.kind, h.note) for h in replayed.case.history][1:] == [
        ("invio", journal.ERASED_TEXT), ("invio", journal.ERASED_TEXT), ("consenso", journal.ERASED_TEXT),
        ("revoca_consenso", "")]
    assert "serd" not in repr(replayed) and "non_in_carico" not in repr(replayed)
    with pytest.raises(InputError):  # an erased consent can no longer be withdrawn (nor relied upon)
        _run(replayed, journal.WithdrawConsent(**meta(command_id="k-w2"), consent_id="cs-1", on=DAY))


def test_consent_given_version_1_is_upcast() -> None:
    """Version 1 held the consent alone: its id, member and date are taken from it."""
    from inclusione_core.journal._model import from_payload

    v1 = {"consent": {"id": "cs-1", "member": "m1", "categories": ["work"], "recipients": ["cpi"],
                      "purposes": ["referral"], "given_on": "2025-03-01"}}
    data = from_payload("consent.given", 1, v1, make_converter())
    assert isinstance(data, journal.ConsentGiven) and data.consent is not None
    assert (data.consent_id, data.member, data.given_on, data.subject) == ("cs-1", "m1", DAY, "m1")


STEP = st.sampled_from(["refer", "accept", "refuse", "close", "withdraw", "consent", "revoke", "review", "assess"])


def _step_command(step: str, n: int, on: dt.date, revealing: bool) -> journal.Command:
    """One command of a random case; ``revealing`` chooses sealed values that reveal addiction (or not)."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    common = meta(command_id=f"k{n}")
    ref = f"r{n // 3}"  # a few steps share a referral
    if step == "refer":
        return journal.SendReferral(**common, referral_id=ref, from_service="ssp",
                                    to_service="serd" if revealing else "cpi", channel="scheda_invio",
                                    reason="motivo", on=on)
    if step in ("accept", "refuse"):
        return journal.AnswerReferral(**common, referral_id=ref, accepted=step == "accept", on=on,
                                      by="serd" if revealing else "cpi", reason="motivo",
                                      code=("non_in_carico" if revealing else "altro") if step == "refuse" else None)
    if step == "close":
        return journal.CloseReferral(**common, referral_id=ref, on=on)
    if step == "withdraw":
        return journal.WithdrawReferral(**common, referral_id=ref, on=on)
    if step == "consent":
        return journal.GiveConsent(**common, consent=Consent(
            id=f"cs{n // 2}", member="m1", categories=(DataCategory.ADDICTION if revealing else DataCategory.WORK,),
            recipients=("serd" if revealing else "cpi",), purposes=(Purpose.REFERRAL,), given_on=on))
    if step == "revoke":
        return journal.WithdrawConsent(**common, consent_id=f"cs{(n - 1) // 2}", on=on)
    if step == "review":
        return journal.ReviewProject(**common, project_id="p-1", on=on)
    command = assess_with_marker(command_id=f"k{n}")
    return attrs.evolve(command, assessment=attrs.evolve(command.assessment, date=on))


def _random_case(steps: list[str], revealing: bool) -> list[journal.Event]:
    state = journal.CaseState(case_id="c-1")
    log: list[journal.Event] = []
    opening: list[journal.Command] = [open_case(members=2), journal.SignProject(
        **meta(command_id="k-p"), on=DAY, project=Project(id="p-1", start=DAY))]
    commands = [*opening, *(_step_command(s, n, DAY + dt.timedelta(days=n + 1), revealing)
                            for n, s in enumerate(steps))]
    for command in commands:
        try:
            state, events = _run(state, command)
        except (InputError, TransitionError):
            continue  # a step the case does not allow: refused, as an operator's would be
        log += events
    return log


@given(st.lists(STEP, max_size=12))
def test_once_every_key_is_destroyed_the_case_replays_the_same_whatever_its_sealed_codes(steps: list[str]) -> None:
    """
    Any case: what is kept in clear is the same whether its codes named a SerD and addiction
    or not; its subjects all erased, the replay never fails, keeps no referral, consent or
    assessment, and is the same either way.
    """
    from inclusione_core.journal._model import to_payload

    revealing, plain = _random_case(steps, revealing=True), _random_case(steps, revealing=False)
    assert [e.type for e in revealing] == [e.type for e in plain]
    converter = make_converter()  # what a store keeps in clear is the same, event by event
    assert ([to_payload(e.data, converter)[0] for e in revealing]
            == [to_payload(e.data, converter)[0] for e in plain])
    erased = journal.replay("c-1", [_erased(e) for e in revealing])
    assert erased == journal.replay("c-1", [_erased(e) for e in plain])
    assert erased.case is not None and erased.case.referrals == () and erased.case.consents == ()
    assert erased.case.assessment is None
    assert not [word for word in ("serd", "non_in_carico", "addiction", MARKER) if word in repr(erased)]


def test_subject_ids_are_checked_where_no_territory_is_needed() -> None:
    """A member named like the household's subject, a consent of no member, a step on an erased referral: refused."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Member, Purpose

    with pytest.raises(InputError) as exc:
        _run(journal.CaseState(case_id="c-1"), attrs.evolve(open_case(), members=(Member(id="household"),)))
    assert (exc.value.details[0].path, exc.value.details[0].rule) == ("$.members[0].id", "not:household")
    consent = Consent(id="cs-1", member="tutore", categories=(DataCategory.ADDICTION,), recipients=("serd",),
                      purposes=(Purpose.REFERRAL,), given_on=DAY)
    with pytest.raises(InputError) as exc:
        _run(_opened(), journal.GiveConsent(**meta(command_id="k-c"), consent=consent))
    assert (exc.value.details[0].path, exc.value.details[0].rule) == ("$.consent.member", "ref:household.members")
    shredded = attrs.evolve(_refer(_opened()), shredded=frozenset({"inv-1"}))
    with pytest.raises(InputError) as exc:
        _run(shredded, journal.CloseReferral(**meta(command_id="k-x"), referral_id="inv-1", on=DAY))
    assert exc.value.details[0].rule == "erased"


def test_expiring_a_case_erases_its_remaining_subjects_in_one_batch_and_only_once_closed() -> None:
    """ExpireCase: refused while the case is open; then one subject.erased per subject not erased yet."""
    state = _opened()
    expire = journal.ExpireCase(**meta(command_id="k-e"), on=DAY)
    with pytest.raises(InputError) as exc:
        _run(state, expire)
    assert exc.value.details[0].rule == "closed"
    state, _ = _run(state, journal.EraseSubject(**meta(command_id="k-m2"), subject_id="m2", on=DAY))
    state, _ = _run(state, journal.CloseCase(**meta(command_id="k-c"), on=DAY))
    state, events = _run(state, expire)
    assert [e.data.subject_id for e in events] == ["household", "m1"]  # type: ignore[attr-defined]
    assert state.erased == {"household", "m1", "m2"}
    assert journal.decide(state, attrs.evolve(expire, command_id="k-e2"), clock=clock, new_id=ids()) == []


def test_erasing_a_member_drops_what_the_assessment_says_of_them() -> None:
    """Their needs and readiness for work leave the case as rebuilt; the other member's stay."""
    from inclusione_core._models import Assessment, Need

    assessment = Assessment(date=DAY, needs=(Need(code="dipendenza", member="m2", note=MARKER),
                                             Need(code="lavoro", member="m1")), work_ready_members=("m1", "m2"))
    state, _ = _run(_opened(), journal.Assess(**meta(command_id="k-a"), assessment=assessment))
    state, _ = _run(state, journal.EraseSubject(**meta(command_id="k-m2"), subject_id="m2", on=DAY))
    assert state.case is not None and state.case.assessment is not None
    assert [n.member for n in state.case.assessment.needs] == ["m1"]
    assert state.case.assessment.work_ready_members == ("m1",)


def test_an_erased_members_items_stay_out_of_what_is_recorded_after() -> None:
    """A later assessment, rectification or project naming the erased member: their items stay out of the case."""
    from inclusione_core._models import Assessment, Commitment, Need

    state, _ = _run(_opened(), journal.EraseSubject(**meta(command_id="k-m2"), subject_id="m2", on=DAY))
    assessment = Assessment(date=DAY, needs=(Need(code="dipendenza", member="m2", note=MARKER),
                                             Need(code="lavoro", member="m1")), work_ready_members=("m1", "m2"))
    state, recorded = _run(state, journal.Assess(**meta(command_id="k-a"), assessment=assessment))
    assert state.case is not None and state.case.assessment is not None
    assert ([n.member for n in state.case.assessment.needs], state.case.assessment.work_ready_members) == (
        ["m1"], ("m1",))
    state, _ = _run(state, journal.Rectify(**meta(command_id="k-r"), rectifies=recorded[0].id, on=DAY,
                                           assessment=assessment))
    assert state.case is not None and state.case.assessment is not None
    assert [n.member for n in state.case.assessment.needs] == ["m1"]
    project = Project(id="p-1", start=DAY, commitments=(Commitment(text="colloqui", member="m2"),
                                                        Commitment(text="corsi", member="m1")))
    state, _ = _run(state, journal.SignProject(**meta(command_id="k-p"), on=DAY, project=project))
    assert state.case is not None and state.case.project is not None
    assert [c.member for c in state.case.project.commitments] == ["m1"]
    assert MARKER not in repr(state.case)


def test_a_consent_recorded_for_a_non_member_before_it_was_refused_can_still_be_erased() -> None:
    """A journal written before consents had to be of a member: that subject is erased too, by name or on expiry."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    state = _opened()
    consent = Consent(id="cs-1", member="tutore", categories=(DataCategory.ADDICTION,), recipients=("serd",),
                      purposes=(Purpose.REFERRAL,), given_on=DAY)
    old = journal.Event(id="old", case_id="c-1", version=state.version + 1, occurred_at=clock(), actor="rossi",
                        role="as", legal_basis="", command_id="k-old",
                        data=journal.ConsentGiven(consent_id="cs-1", member="tutore", given_on=DAY, consent=consent))
    state = journal.evolve(state, old)
    state, _ = _run(state, journal.CloseCase(**meta(command_id="k-c"), on=DAY))
    state, events = _run(state, journal.ExpireCase(**meta(command_id="k-e"), on=DAY))
    assert [e.data.subject_id for e in events] == ["household", "m1", "m2", "tutore"]  # type: ignore[attr-defined]
    assert state.case is not None and state.case.consents == () and "cs-1" in state.shredded
