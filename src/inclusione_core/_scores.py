"""
Scored instruments (``scores:`` of the configuration): a screening's total and band, computed.

An instrument has items (each with the values an answer may take and a weight) and bands,
each with a dated threshold (``at_least``). A case records only the answers
(``Assessment.scores``); the engine computes the weighted sum and the band with the version
of the instrument, and the thresholds, in force on the day it was administered. A missing
item adds nothing to the total and leaves the band undecided (*non valutabile*, naming it)
unless every answer it could take gives the same band: a total that reaches the highest
threshold anyway, or that could not reach the lowest one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._config import Territory, _pick, dated_value
from ._models import Assessment, Case, Reason, Score, ScoreOutcome, ScoreRecord
from ._reasons import from_entry
from .i18n import Message

SECTION = "scores"
RULE = "punteggio."


@attrs.frozen
class Tally:
    """
    An instrument's answers added up (see :func:`tally`).

    :ivar version: the version of the instrument in force on ``date`` (None: none is).
    :ivar contributions: each answered item's weight times its value.
    :ivar low: the lowest total the missing items allow; ``high`` the highest.
    :ivar thresholds: (band, threshold, its dated entry) of every band with a threshold in
        force on ``date``, lowest first.
    """

    instrument: str
    date: dt.date
    version: Mapping[str, Any] | None
    contributions: dict[str, int]
    missing: tuple[str, ...]
    total: int
    low: int
    high: int
    thresholds: tuple[tuple[str, float, Mapping[str, Any]], ...]

    def band_of(self, total: float) -> str | None:
        """The highest band whose threshold ``total`` reaches (None: below every one)."""
        reached = [band for band, value, _entry in self.thresholds if total >= value]
        return reached[-1] if reached else None

    @property
    def decided(self) -> bool:
        """Whether the band is the same whatever the missing items' answers (and a threshold is in force)."""
        return bool(self.thresholds) and self.band_of(self.low) == self.band_of(self.high)

    @property
    def band(self) -> str | None:
        """The band, when decided."""
        return self.band_of(self.low) if self.decided else None

    def threshold(self, band: str) -> float | None:
        """A band's threshold in force on the day (None: not configured then)."""
        return next((value for b, value, _e in self.thresholds if b == band), None)


def item_values(item: Mapping[str, Any]) -> tuple[int, int]:
    """The lowest and highest value an answer to an item may take."""
    if "values" in item:
        return min(item["values"]), max(item["values"])
    return int(item["min"]), int(item["max"])


def allowed(item: Mapping[str, Any], value: int) -> bool:
    """Whether a value is one an item admits."""
    if "values" in item:
        return value in item["values"]
    return int(item["min"]) <= value <= int(item["max"])


def version_on(territory: Territory, code: str, day: dt.date) -> dict[str, Any] | None:
    """The version of an instrument in force on a day, or None."""
    entry = territory.section(SECTION).get(code)
    return None if entry is None else _pick(entry, day)


def record_date(record: ScoreRecord, assessment: Assessment) -> dt.date:
    """The day an instrument was administered: the record's, else the assessment's."""
    return record.date or assessment.date


def tally(record: ScoreRecord, day: dt.date, territory: Territory) -> Tally:
    """Add up a record's answers with the instrument's version in force on ``day``."""
    version = version_on(territory, record.instrument, day)
    items: Mapping[str, Any] = (version or {}).get("items") or {}
    contributions = {code: int(item["weight"]) * record.answers[code]
                     for code, item in items.items() if code in record.answers}
    missing = tuple(code for code in items if code not in record.answers)
    total = sum(contributions.values())
    spans = [(int(items[c]["weight"]) * lo, int(items[c]["weight"]) * hi)
             for c in missing for lo, hi in [item_values(items[c])]]
    low = total + sum(min(a, b) for a, b in spans)
    high = total + sum(max(a, b) for a, b in spans)
    thresholds = []
    for band, entry in ((version or {}).get("bands") or {}).items():
        found = dated_value(entry.get("at_least") or [], day)
        if found is not None:
            thresholds.append((band, float(found["value"]), found))
    thresholds.sort(key=lambda t: t[1])
    return Tally(instrument=record.instrument, date=day, version=version, contributions=contributions,
                 missing=missing, total=total, low=low, high=high, thresholds=tuple(thresholds))


def latest(assessment: Assessment | None, as_of: dt.date) -> dict[str, tuple[ScoreRecord, dt.date]]:
    """The latest record of each instrument administered by the as-of date (a later one in the list wins a tie)."""
    out: dict[str, tuple[ScoreRecord, dt.date]] = {}
    if assessment is None:
        return out
    for record in assessment.scores:
        day = record_date(record, assessment)
        if day <= as_of and (record.instrument not in out or day >= out[record.instrument][1]):
            out[record.instrument] = (record, day)
    return out


def score_of(case: Case, territory: Territory, instrument: str, as_of: dt.date) -> Tally | None:
    """The tally of an instrument's latest record by the as-of date (None: the case has none)."""
    found = latest(case.assessment, as_of).get(instrument)
    return None if found is None else tally(found[0], found[1], territory)


def _label(labels: Mapping[str, Any] | None, fallback: str) -> Mapping[str, Any] | str:
    """A configured label ``{it, en}`` (a message argument in both languages), else the code."""
    return dict(labels) if labels else fallback


def _names(codes: Iterable[str], items: Mapping[str, Any]) -> Message | Mapping[str, Any] | str:
    out: Message | Mapping[str, Any] | str = ""
    for code in codes:
        name = _label((items.get(code) or {}).get("label"), code)
        out = name if out == "" else Message("{first}, {then}", first=out, then=name)
    return out


def _unconfirmed(msg: Message, *notes: str | None) -> Message:
    for note in notes:
        if note:
            msg = Message("{decision} {unconfirmed}", decision=msg,
                          unconfirmed=Message("Not confirmed: {what}", what=note))
    return msg


def explain(t: Tally, territory: Territory) -> tuple[ScoreOutcome, Message, Mapping[str, Any], dict[str, Any]]:
    """
    The outcome, message, entry cited and inputs of a tally: the
    source is the threshold's that decides (the band reached, else the lowest one), else the
    instrument's.
    """
    entry = territory.section(SECTION).get(t.instrument) or {}
    version = t.version or entry
    label = _label(version.get("label"), t.instrument)
    items = version.get("items") or {}
    bands = version.get("bands") or {}
    inputs: dict[str, Any] = {"strumento": t.instrument, "somministrato_il": t.date.isoformat(),
                              "contributi": dict(t.contributions), "punteggio": t.total,
                              "voci_mancanti": list(t.missing),
                              "soglie": {band: _number(value) for band, value, _e in t.thresholds}}
    day = t.date.isoformat()
    if t.version is None:
        msg = Message("{label}: no version of the instrument is in force on {day}: not scored.", label=label, day=day)
        return ScoreOutcome.NON_IN_VIGORE, _unconfirmed(msg, entry.get("unconfirmed")), entry, inputs
    if not t.thresholds:
        msg = Message("{label}: score {total} on {day}; no threshold is in force on that day: not assessable.",
                      label=label, total=t.total, day=day)
        return ScoreOutcome.NON_VALUTABILE, _unconfirmed(msg, version.get("unconfirmed")), version, inputs
    band = t.band
    deciding = next((e for b, _v, e in t.thresholds if b == band), t.thresholds[0][2])
    deciding_band = band or t.thresholds[0][0]
    cited = {**version, "source": deciding["source"], "valid_from": deciding.get("valid_from"),
             "valid_to": deciding.get("valid_to")}
    inputs["fascia"] = band
    band_label = _label((bands.get(deciding_band) or {}).get("label"), deciding_band)
    threshold = _number(t.threshold(deciding_band))
    if not t.decided:
        msg = Message("{label}: not assessable, items missing: {missing} (score of the items answered: {total} on"
                      " {day}; with them it could reach {band}, threshold {threshold}).", label=label,
                      missing=_names(t.missing, items), total=t.total, day=day, band=_label(
                          (bands.get(t.band_of(t.high) or "") or {}).get("label"), t.band_of(t.high) or ""),
                      threshold=_number(t.threshold(t.band_of(t.high) or "")))
        outcome = ScoreOutcome.NON_VALUTABILE
    elif band is not None:
        msg = Message("{label}: score {total} on {day}, threshold {threshold} reached: {band}.", label=label,
                      total=t.total, day=day, threshold=threshold, band=band_label)
        outcome = ScoreOutcome.VALUTATO
    else:
        msg = Message("{label}: score {total} on {day}, below the threshold {threshold} ({band}).", label=label,
                      total=t.total, day=day, threshold=threshold, band=band_label)
        outcome = ScoreOutcome.VALUTATO
    if t.decided and t.missing:
        msg = Message("{decision} Items missing: {missing}; whatever their answers, the band would not change.",
                      decision=msg, missing=_names(t.missing, items))
    notes = [version.get("unconfirmed"), (bands.get(deciding_band) or {}).get("unconfirmed")]
    return outcome, _unconfirmed(msg, *notes), cited, inputs


def _number(value: float | None) -> int | float | None:
    return int(value) if value is not None and float(value).is_integer() else value


def reason_of(t: Tally, territory: Territory) -> tuple[ScoreOutcome, Reason]:
    """The outcome of a tally and its reason, reading every category the instrument's items give."""
    outcome, msg, entry, inputs = explain(t, territory)
    return outcome, from_entry(territory, entry, RULE + t.instrument, msg, inputs,
                               categories=("process", *territory.score_categories(t.instrument)))


def scores(case: Case, territory: Territory, as_of: dt.date) -> tuple[Score, ...]:
    """Every instrument of the assessment, by its latest record administered by the as-of date, scored."""
    out = []
    for code, (record, day) in sorted(latest(case.assessment, as_of).items()):
        t = tally(record, day, territory)
        outcome, reason = reason_of(t, territory)
        out.append(Score(instrument=code, date=day, total=t.total, band=t.band, outcome=outcome, missing=t.missing,
                         reason=reason))
    return tuple(out)
