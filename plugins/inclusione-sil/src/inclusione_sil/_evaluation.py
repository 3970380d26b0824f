"""
Evaluation of the SIL by the Ufficio di Piano (SIL guidelines, §7), over a set of cases.

"l'UdP incontrerà con una cadenza costante l'equipe del SIL al fin di monitorare":
sustainability, shared protocols, quality of network work, consistency of objectives and
actions, quality of the paths carried out, and the "Rapporto costi/ore di intervento
diretto". What can be counted is computed; what is a judgement is an input:

* **paths and outcomes**: from one :class:`PathRecord` per signalled case (its outcome,
  hours of direct intervention and costs). :func:`record_from_piano` builds it from the
  case's *piano di valutazione* (the instrument of phases 2 and 5-8), where the SIL
  records the hours of direct intervention and the costs of the path;
* **cost per hour of direct intervention**: (costs of the paths + general costs of the
  service in the period) / hours of direct intervention;
* **network quality**: the UdP's judgements on the §7 items and on the network levels of
  §4, on the configured scale (default 1-4), reported as given: the guidelines fix no way to
  combine them.

**Privacy**: the evaluation goes to the Ufficio di Piano, and holds no personal data: only
counts, sums of hours and costs, and the UdP's own judgements. The case ids of the records
are used to check that no case is counted twice and never appear in the indicators or
their reasons, so it is not a view of a case and is not audited. The records themselves
(one per person, with the outcome of the path) stay with the SIL; a per-case export to the
UdP goes through :meth:`inclusione_core.Engine.export_statistics` (pseudonymised, audited).
Over very few cases the aggregates describe single paths: report them only over sets
large enough for the purpose (the guidelines fix no minimum).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from inclusione_core import Citation, ErrorDetail, InputError, Reason, Territory
from inclusione_core.i18n import Message

from ._i18n import message
from ._tables import Tables, default_tables, tables_for

IN_CORSO = "in_corso"
DISCHARGE = "dimissioni"


def outcomes(tables: Tables) -> tuple[str, ...]:
    """The outcome codes of a path: in progress, the closing states, one per discharge destination."""
    closing = [code for code in tables.outcomes if code != DISCHARGE]
    return (IN_CORSO, *closing, *(f"{DISCHARGE}_{d}" for d in tables.destinations))


@attrs.frozen(kw_only=True)
class PathRecord:
    """One signalled case for the evaluation: outcome, hours of direct intervention, costs (euro)."""

    case_id: str
    esito: str
    ore_intervento_diretto: float = 0.0
    costo: float = 0.0


@attrs.frozen(kw_only=True)
class Indicator:
    """One evaluation item: its code, label, value and the reason (with the facts it used)."""

    code: str
    label: str
    value: Any
    reason: Reason


@attrs.frozen(kw_only=True)
class Evaluation:
    """The §7 evaluation over a set of cases."""

    indicators: tuple[Indicator, ...]

    def get(self, code: str) -> Indicator:
        """The indicator with this code."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        """Indicator code -> value (JSON-ready)."""
        return {i.code: i.value for i in self.indicators}


def record_from_piano(piano: Mapping[str, Any], territory: Territory) -> PathRecord:
    """
    The evaluation record of a case from its *piano di valutazione*.

    :raises InputError: the document does not validate against the instrument's schema.
    """
    territory.validate_instrument("piano_valutazione", piano, f"piano di valutazione {piano.get('case_id', '?')}")
    state = piano["esito"]["stato"]
    esito = f"{DISCHARGE}_{piano['esito']['dimissioni_verso']}" if state == DISCHARGE else state
    hours = sum(float(h["ore"]) for h in piano["ore_intervento_diretto"])
    costs = sum(float(c["importo"]) for c in piano["costi"])
    return PathRecord(case_id=piano["case_id"], esito=esito, ore_intervento_diretto=hours, costo=costs)


def _check(records: list[PathRecord], judgements: Mapping[str, int], network: Mapping[str, int],
           general_costs: float, tables: Tables) -> None:
    errors: list[ErrorDetail] = []
    known = outcomes(tables)
    seen: set[str] = set()
    for i, r in enumerate(records):
        if r.esito not in known:
            errors.append(ErrorDetail(f"$.percorsi[{i}].esito", message("unknown outcome; allowed: {known}",
                                                                        known=", ".join(known)), r.esito, "enum"))
        if r.ore_intervento_diretto < 0:
            errors.append(ErrorDetail(f"$.percorsi[{i}].ore_intervento_diretto", message("hours cannot be negative"),
                                      r.ore_intervento_diretto, "minimum"))
        if r.costo < 0:
            errors.append(ErrorDetail(f"$.percorsi[{i}].costo", message("costs cannot be negative"), r.costo,
                                      "minimum"))
        if r.case_id in seen:
            errors.append(ErrorDetail(f"$.percorsi[{i}].case_id", message("case counted twice"), r.case_id, "unique"))
        seen.add(r.case_id)
    if general_costs < 0:
        errors.append(ErrorDetail("$.costi_generali", message("costs cannot be negative"), general_costs, "minimum"))
    scale = tables.evaluation["scala"]
    lo, hi = int(scale["min"]), int(scale["max"])
    for where, given, allowed in (("giudizi", judgements, tables.evaluation["indicatori"]),
                                  ("rete", network, tables.evaluation["rete"]["livelli"])):
        for code, value in given.items():
            if code not in allowed:
                errors.append(ErrorDetail(f"$.{where}.{code}", message("unknown item; allowed: {known}",
                                                                      known=", ".join(allowed)), code, "enum"))
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                errors.append(ErrorDetail(f"$.{where}.{code}", message("a whole judgement from {low} to {high}",
                                                                      low=lo, high=hi), value, "scale"))
    if errors:
        raise InputError(message("SIL evaluation"), errors)


def _reason(rule: str, tables: Tables, source: Citation, text: Message, inputs: dict[str, Any]) -> Reason:
    return Reason(rule=rule, territory=tables.layer, message_it=text.text("it"), message_en=text.text("en"),
                  source=source, inputs=inputs, defined_in=tables.defined_in)


def _money(value: float) -> str:
    return f"{value:.2f}"


def evaluate_paths(
    records: Iterable[PathRecord],
    *,
    giudizi: Mapping[str, int] | None = None,
    rete: Mapping[str, int] | None = None,
    costi_generali: float = 0.0,
    territory: Territory | None = None,
) -> Evaluation:
    """
    The §7 evaluation of a set of SIL cases.

    :param records: one record per signalled case (see :func:`record_from_piano`).
    :param giudizi: the UdP's judgements on the §7 items (``sostenibilita``, ``protocolli``,
        ``qualita_rete``, ``congruita``, ``qualita_percorsi``), on the configured scale.
    :param rete: the UdP's judgements on the network levels of §4, on the same scale.
    :param costi_generali: costs of the service in the period not attributed to a path (euro).
    :param territory: a territory within ``sil`` (default: the plugin's reference tables).
    :raises InputError: unknown outcomes or items, negative hours or costs, a case counted
        twice, judgements off the scale; every problem is listed.
    """
    tables = default_tables() if territory is None else tables_for(territory)
    recs = list(records)
    judgements, network = dict(giudizi or {}), dict(rete or {})
    _check(recs, judgements, network, costi_generali, tables)
    ev = tables.evaluation
    main = tables.cite(ev["source"])

    counts = Counter(r.esito for r in recs)
    by_outcome = {code: counts.get(code, 0) for code in outcomes(tables)}
    discharged = sum(n for code, n in by_outcome.items() if code.startswith(f"{DISCHARGE}_"))
    realised = by_outcome[IN_CORSO] + discharged
    paths = {"segnalazioni": len(recs), "percorsi_realizzati": realised, "in_corso": by_outcome[IN_CORSO],
             "conclusi_con_dimissioni": discharged, "esiti": by_outcome}
    shown = ", ".join(f"{code} {n}" for code, n in by_outcome.items() if n)
    indicators = [Indicator(
        code="percorsi", label="Percorsi realizzati ed esiti", value=paths,
        reason=_reason("sil.valutazione.percorsi", tables, main, message(
            "{referred} cases referred, {realised} paths carried out ({running} in progress, {discharged} closed with a"
            " discharge). Outcomes: {outcomes}.", referred=len(recs), realised=realised, running=by_outcome[IN_CORSO],
            discharged=discharged, outcomes=shown or message("none")), paths),
    )]

    hours = sum(r.ore_intervento_diretto for r in recs)
    path_costs = sum(r.costo for r in recs)
    total = path_costs + costi_generali
    per_hour = round(total / hours, 2) if hours > 0 else None
    cost_src = tables.cite(ev["costo_ora"]["source"])
    inputs = {"ore_intervento_diretto": hours, "costi_percorsi": round(path_costs, 2),
              "costi_generali": round(costi_generali, 2), "costi_totali": round(total, 2), "costo_ora": per_hour}
    if per_hour is None:
        text = message("Cost per hour of direct intervention not computable: no hour recorded (costs {total} euro).",
                       total=_money(total))
    else:
        text = message("Cost per hour of direct intervention: {total} euro ({paths} for the paths + {general} general)"
                       " / {hours} hours = {per_hour} euro per hour.", total=_money(total), paths=_money(path_costs),
                       general=_money(costi_generali), hours=f"{hours:g}", per_hour=_money(per_hour))
    indicators.append(Indicator(code="costo_ora", label=ev["costo_ora"]["label"]["it"], value=per_hour,
                                reason=_reason("sil.valutazione.costo_ora", tables, cost_src, text, inputs)))

    scale = f"{ev['scala']['min']}-{ev['scala']['max']}"
    for code, label in ev["indicatori"].items():
        if code not in judgements:
            continue
        value = judgements[code]
        indicators.append(Indicator(
            code=f"giudizio.{code}", label=label["it"], value=value,
            reason=_reason(f"sil.valutazione.{code}", tables, main,
                           message('UdP judgement on "{label}": {value} (scale {scale}).', label=label, value=value,
                                   scale=scale),
                           {"voce": code, "giudizio": value, "scala": scale,
                            "scala_fonte": str(tables.cite(ev["scala"]["source"]))})))
    levels = ev["rete"]["livelli"]
    if network:
        net_src = tables.cite(ev["rete"]["source"])
        given = {code: network[code] for code in levels if code in network}
        shown_net = "; ".join(f"{levels[c]['label']['it']}: {v}" for c, v in given.items())
        shown_en = "; ".join(f"{levels[c]['label']['en']}: {v}" for c, v in given.items())
        missing = [c for c in levels if c not in network]
        indicators.append(Indicator(
            code="qualita_rete", label="Qualità della rete (livelli della gestione dei processi di rete)",
            value=given,
            reason=_reason("sil.valutazione.rete", tables, net_src,
                           message("UdP judgements on the network levels (scale {scale}): {judgements}.", scale=scale,
                                   judgements={"it": shown_net, "en": shown_en}),
                           {"giudizi": given, "livelli_non_giudicati": missing, "scala": scale})))
    return Evaluation(indicators=tuple(indicators))
