"""Referrals as a state machine, their snapshot, and the case's append-only history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import (
    CaseEvent,
    InputError,
    Referral,
    ReferralStatus,
    TransitionError,
    make_converter,
    record,
    update_referral,
)
from inclusione_core import referrals as R
from inclusione_core.testing import minimal_case

D = dt.date
S = ReferralStatus
SENT_ON = D(2025, 3, 3)

# The reference table, written independently of the module under test.
LEGAL = {
    ("sent", "accept"): "accepted",
    ("sent", "refuse"): "refused",
    ("sent", "withdraw"): "withdrawn",
    ("accepted", "close"): "closed",
    ("accepted", "withdraw"): "withdrawn",
    ("refused", "close"): "closed",
}
OPERATIONS: dict[str, Callable[..., Referral]] = {
    "accept": lambda ref, on: R.accept(ref, on=on, by="cpi"),
    "refuse": lambda ref, on: R.refuse(ref, on=on, reason="non di competenza", code="altro", by="siil"),
    "close": lambda ref, on: R.close(ref, on=on),
    "withdraw": lambda ref, on: R.withdraw(ref, on=on, reason="il nucleo ha cambiato comune"),
}
TARGET = {"accept": "accepted", "refuse": "refused", "close": "closed", "withdraw": "withdrawn"}


def scheda() -> dict[str, Any]:
    """A scheda di invio as sent (nested, mutable)."""
    return {"motivo": "bisogno lavorativo", "bisogni": ["lavoro", "formazione"], "nucleo": {"componenti": 3}}


def sent(**kw: Any) -> Referral:
    """A referral just sent from the PUA to the CPI."""
    args: dict[str, Any] = {"id": "inv-1", "from_service": "pua", "to_service": "cpi",
                            "channel": "scheda_invio", "reason": "bisogno lavorativo", "on": SENT_ON,
                            "snapshot": scheda()}
    args.update(kw)
    return R.send(**args)


# --------------------------------------------------------------------------- legal paths


def test_send_creates_a_referral_in_state_sent() -> None:
    """send returns a referral in state sent with its fields and no answer."""
    ref = sent()
    assert ref.status is S.SENT
    assert (ref.id, ref.from_service, ref.to_service, ref.channel) == ("inv-1", "pua", "cpi", "scheda_invio")
    assert ref.sent_on == SENT_ON and ref.response is None and ref.closed_on is None


@pytest.mark.parametrize(
    "path",
    [
        ["accept", "close"],
        ["accept", "withdraw"],
        ["refuse", "close"],
        ["withdraw"],
        ["accept"],
        ["refuse"],
    ],
)
def test_every_legal_path_works(path: list[str]) -> None:
    """Each legal sequence of transitions reaches the expected state, one day apart."""
    ref = sent()
    for day, op in enumerate(path, start=1):
        ref = OPERATIONS[op](ref, SENT_ON + dt.timedelta(days=day))
        assert ref.status.value == TARGET[op]
    assert ref.snapshot == scheda()


def test_answers_and_closure_are_recorded() -> None:
    """accept/refuse record the response (date, who, reason); close/withdraw record the date and reason."""
    accepted = R.accept(sent(), on=D(2025, 3, 5), by="operatore cpi")
    assert accepted.response is not None
    response = accepted.response
    assert (response.on, response.by, response.reason) == (D(2025, 3, 5), "operatore cpi", "")
    refused = R.refuse(sent(), on=D(2025, 3, 4), reason="accesso solo su invio dei servizi", code="altro",
                       by="siil")
    assert refused.response is not None and refused.response.reason == "accesso solo su invio dei servizi"
    closed = R.close(refused, on=D(2025, 3, 6))
    assert closed.closed_on == D(2025, 3, 6) and closed.response == refused.response
    withdrawn = R.withdraw(accepted, on=D(2025, 3, 7), reason="trasferimento")
    assert withdrawn.closed_on == D(2025, 3, 7) and withdrawn.closing_reason == "trasferimento"


def test_same_day_answers_are_allowed() -> None:
    """An answer and a closure may fall on the day the referral was sent."""
    ref = R.close(R.accept(sent(), on=SENT_ON), on=SENT_ON)
    assert ref.status is S.CLOSED


def test_the_table_matches_the_documented_machine() -> None:
    """TRANSITIONS is the documented machine: closed and withdrawn are final."""
    table = {(s.value, t.value) for s, nxt in R.TRANSITIONS.items() for t in nxt}
    assert table == {(s, t) for (s, _op), t in LEGAL.items()}
    assert {S.CLOSED, S.WITHDRAWN} == R.FINAL
    assert R.allowed(S.SENT) == {S.ACCEPTED, S.REFUSED, S.WITHDRAWN}


# --------------------------------------------------------------------------- illegal transitions


@pytest.mark.parametrize("state_path", [[], ["accept"], ["refuse"], ["accept", "close"], ["withdraw"]])
@pytest.mark.parametrize("op", sorted(OPERATIONS))
def test_every_illegal_transition_raises(state_path: list[str], op: str) -> None:
    """From every state, each operation not in the table raises TransitionError with current, requested, allowed."""
    ref = sent()
    for step in state_path:
        ref = OPERATIONS[step](ref, SENT_ON)
    state = ref.status.value
    if (state, op) in LEGAL:
        assert OPERATIONS[op](ref, SENT_ON).status.value == LEGAL[(state, op)]
        return
    with pytest.raises(TransitionError) as info:
        OPERATIONS[op](ref, SENT_ON)
    err = info.value
    assert err.current == state
    assert err.requested == TARGET[op]
    assert set(err.allowed) == {t for (s, _o), t in LEGAL.items() if s == state}
    assert "inv-1" in err.entity
    assert "transizione non ammessa" in str(err)
    if not err.allowed:
        assert "stato finale" in str(err)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(-2, 3)), max_size=6))
def test_random_operation_sequences_follow_the_reference_table(ops: list[tuple[str, int]]) -> None:
    """Any sequence of dated operations succeeds exactly when the table allows it and no date goes back."""
    ref = sent()
    day = SENT_ON
    for op, gap in ops:
        day = day + dt.timedelta(days=gap)
        expected = LEGAL.get((ref.status.value, op))
        if expected is None:
            with pytest.raises(TransitionError):
                OPERATIONS[op](ref, day)
        elif day < R.last_date(ref):
            with pytest.raises(InputError):
                OPERATIONS[op](ref, day)
        else:
            before = ref
            ref = OPERATIONS[op](ref, day)
            assert ref.status.value == expected
            assert R.last_date(ref) == day >= R.last_date(before)
    assert ref.snapshot == scheda()


# --------------------------------------------------------------------------- dates and reasons


@pytest.mark.parametrize("op", ["accept", "refuse", "withdraw"])
def test_an_answer_before_the_referral_was_sent_is_refused(op: str) -> None:
    """Answering or withdrawing before sent_on raises InputError naming the date field."""
    with pytest.raises(InputError) as info:
        OPERATIONS[op](sent(), SENT_ON - dt.timedelta(days=1))
    (detail,) = info.value.details
    assert detail.path in ("$.response.on", "$.closed_on")
    assert detail.rule == "chronology"
    assert "2025-03-03" in detail.message


def test_closing_before_the_answer_is_refused() -> None:
    """Closing before the answer's date raises InputError at $.closed_on."""
    ref = R.accept(sent(), on=D(2025, 3, 10))
    with pytest.raises(InputError) as info:
        R.close(ref, on=D(2025, 3, 9))
    assert info.value.details[0].path == "$.closed_on"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refusal_needs_a_reason(reason: str) -> None:
    """refuse without a reason raises InputError at $.response.reason."""
    with pytest.raises(InputError) as info:
        R.refuse(sent(), on=SENT_ON, reason=reason, code="altro")
    assert info.value.details[0].path == "$.response.reason"


def test_send_refuses_a_malformed_id() -> None:
    """send reports a field constraint (an id with a space) as InputError naming the field."""
    with pytest.raises(InputError) as info:
        sent(id="inv 1")
    assert info.value.details[0].path == "$.id"


# --------------------------------------------------------------------------- snapshot


def test_the_snapshot_is_a_deep_copy() -> None:
    """Changing the caller's scheda after sending does not change the referral's snapshot."""
    original = scheda()
    ref = sent(snapshot=original)
    original["bisogni"].append("abitativo")
    original["nucleo"]["componenti"] = 9
    assert ref.snapshot == scheda()


@given(st.lists(st.sampled_from(["accept", "refuse", "close", "withdraw"]), max_size=4))
def test_the_snapshot_never_changes_through_transitions(ops: list[str]) -> None:
    """Whatever transitions succeed, the snapshot stays equal to what was sent."""
    ref = sent()
    for op in ops:
        try:
            ref = OPERATIONS[op](ref, SENT_ON + dt.timedelta(days=1))
        except TransitionError:
            continue
        assert ref.snapshot == scheda()


def test_referrals_round_trip_through_json() -> None:
    """A referral moved through its states round-trips through the converter."""
    conv = make_converter()
    ref = R.withdraw(R.accept(sent(), on=D(2025, 3, 4), by="x"), on=D(2025, 3, 5), reason="y")
    assert conv.structure(conv.unstructure(ref), Referral) == ref


# --------------------------------------------------------------------------- case history


def test_record_appends_in_date_order() -> None:
    """record appends events; the history keeps the order in which they happened."""
    case = minimal_case()
    case = record(case, CaseEvent(on=D(2025, 1, 15), kind="accesso"))
    case = record(case, CaseEvent(on=D(2025, 1, 15), kind="valutazione"))
    case = record(case, CaseEvent(on=D(2025, 2, 1), kind="equipe"))
    assert [e.kind for e in case.history] == ["accesso", "valutazione", "equipe"]


def test_record_refuses_an_event_dated_before_the_last() -> None:
    """An event dated before the last one raises InputError naming $.history, and the case is unchanged."""
    case = record(minimal_case(), CaseEvent(on=D(2025, 2, 1), kind="equipe"))
    with pytest.raises(InputError) as info:
        record(case, CaseEvent(on=D(2025, 1, 31), kind="patto"))
    (detail,) = info.value.details
    assert detail.path == "$.history[1].on"
    assert "2025-02-01" in detail.message
    assert len(case.history) == 1


@given(st.lists(st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 1, 1)), max_size=8))
def test_history_stays_ordered_whatever_is_recorded(days: list[dt.date]) -> None:
    """Recording events in any order keeps the history sorted by date: out-of-order events are refused."""
    case = minimal_case()
    for day in days:
        try:
            case = record(case, CaseEvent(on=day, kind="nota"))
        except InputError:
            assert day < case.history[-1].on
    dates = [e.on for e in case.history]
    assert dates == sorted(dates)


def test_update_referral_adds_replaces_and_records() -> None:
    """update_referral adds a new referral, replaces it by id as it moves, and records an invio event each time."""
    case = minimal_case()
    ref = sent()
    case = update_referral(case, ref)
    assert case.referrals == (ref,)
    ref = R.accept(ref, on=D(2025, 3, 5), by="cpi prato")
    case = update_referral(case, ref)
    assert case.referrals == (ref,)
    ref = R.close(ref, on=D(2025, 4, 1))
    case = update_referral(case, ref)
    assert [(e.on, e.kind) for e in case.history] == [
        (SENT_ON, "invio"), (D(2025, 3, 5), "invio"), (D(2025, 4, 1), "invio")]
    assert [e.note.rsplit(": ", 1)[-1].split(" ")[0] for e in case.history] == ["sent", "accepted", "closed"]
    assert case.history[1].by == "cpi prato"
    assert update_referral(case, ref) is case  # nothing changed, nothing recorded


def test_update_referral_keeps_other_referrals_in_place() -> None:
    """Replacing one referral leaves the others and their order untouched."""
    a, b = sent(id="a"), sent(id="b", to_service="ssp")
    case = update_referral(update_referral(minimal_case(), a), b)
    b2 = R.refuse(b, on=D(2025, 3, 4), reason="non competente", code="altro")
    case = update_referral(case, b2)
    assert case.referrals == (a, b2)
    assert "non competente" in case.history[-1].note


def test_update_referral_refuses_going_back() -> None:
    """Storing an earlier state over a later one raises TransitionError."""
    ref = sent()
    accepted = R.accept(ref, on=D(2025, 3, 4))
    case = update_referral(update_referral(minimal_case(), ref), accepted)
    with pytest.raises(TransitionError) as info:
        update_referral(case, ref)
    assert (info.value.current, info.value.requested) == ("accepted", "sent")


def test_update_referral_refuses_a_changed_snapshot() -> None:
    """The snapshot stored in the case cannot be replaced by a different one."""
    ref = sent()
    case = update_referral(minimal_case(), ref)
    tampered = Referral(**{**{a: getattr(ref, a) for a in ("id", "from_service", "to_service", "channel",
                                                             "reason", "sent_on")},
                           "snapshot": {"motivo": "altro"}, "status": S.ACCEPTED})
    with pytest.raises(InputError) as info:
        update_referral(case, tampered)
    assert info.value.details[0].path == "$.referrals[0].snapshot"


def test_update_referral_respects_the_history_order() -> None:
    """A referral step dated before the last history event is refused like any late event."""
    case = record(minimal_case(), CaseEvent(on=D(2025, 6, 1), kind="patto"))
    with pytest.raises(InputError) as info:
        update_referral(case, sent())
    assert info.value.details[0].path.startswith("$.history")
