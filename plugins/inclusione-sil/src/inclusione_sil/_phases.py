"""
The SIL case workflow as data: the phases of §3 of the guidelines and the legal moves between them.

Seed 004, §3 "Modalità di intervento", table "PROGETTO DI INSERIMENTI LAVORATIVI"::

    segnalazione ──> prima_valutazione ──> colloquio_assistente_sociale ──> colloquio_persona
         │                                                                         │
         └──> solo_registrazione                                                decisione
                                                                     ┌─────────────┴──────────────┐
                                                                non_accolto                  accettazione <─┐
                                                        (segnalazione all'ente inviante)         │          │
                                                                                              sviluppo      │
                                                                                                 │          │
                                                                                        valutazione_finale ─┘
                                                                                                 │  (riprogettazione)
                                                                                             dimissioni

* phase 1: "Eventuale apertura della scheda personale se si procede altrimenti
  registrazione": a signalled case is taken further (phase 2) or only registered;
* phase 5: "In caso di esito negativo segnalazione ente inviante": a negative decision
  closes the case and notifies the sending service; a positive one leads to phase 6;
* phase 8: "Eventuale riprogettazione": back to phase 6 (a new project), or the
  *dimissioni* towards consolidated paths or support services (§1 "temporaneità").

``solo_registrazione``, ``non_accolto`` and ``dimissioni`` are final.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class Phase(StrEnum):
    """A state of a SIL case: the eight phases of §3, and the three closing states."""

    SEGNALAZIONE = "segnalazione"
    PRIMA_VALUTAZIONE = "prima_valutazione"
    COLLOQUIO_ASSISTENTE_SOCIALE = "colloquio_assistente_sociale"
    COLLOQUIO_PERSONA = "colloquio_persona"
    DECISIONE = "decisione"
    ACCETTAZIONE = "accettazione"
    SVILUPPO = "sviluppo"
    VALUTAZIONE_FINALE = "valutazione_finale"
    SOLO_REGISTRAZIONE = "solo_registrazione"
    NON_ACCOLTO = "non_accolto"
    DIMISSIONI = "dimissioni"


class InterviewType(StrEnum):
    """The interview types of phase 7, *sviluppo dell'intervento*."""

    ACCOGLIENZA = "accoglienza"
    ANAMNESI = "anamnesi"
    LEGALE = "legale"
    GESTIONE_CRISI = "gestione_crisi"
    PROGETTUALE = "progettuale"
    MOTIVAZIONALE = "motivazionale"
    ORIENTAMENTO = "orientamento"
    VERIFICA = "verifica"


_P = Phase

NUMBERED: Final[tuple[Phase, ...]] = (
    _P.SEGNALAZIONE,
    _P.PRIMA_VALUTAZIONE,
    _P.COLLOQUIO_ASSISTENTE_SOCIALE,
    _P.COLLOQUIO_PERSONA,
    _P.DECISIONE,
    _P.ACCETTAZIONE,
    _P.SVILUPPO,
    _P.VALUTAZIONE_FINALE,
)
"""The eight phases of the table, in order (phase ``n`` is ``NUMBERED[n - 1]``)."""

TRANSITIONS: Final[Mapping[Phase, frozenset[Phase]]] = {
    _P.SEGNALAZIONE: frozenset({_P.PRIMA_VALUTAZIONE, _P.SOLO_REGISTRAZIONE}),
    _P.PRIMA_VALUTAZIONE: frozenset({_P.COLLOQUIO_ASSISTENTE_SOCIALE}),
    _P.COLLOQUIO_ASSISTENTE_SOCIALE: frozenset({_P.COLLOQUIO_PERSONA}),
    _P.COLLOQUIO_PERSONA: frozenset({_P.DECISIONE}),
    _P.DECISIONE: frozenset({_P.ACCETTAZIONE, _P.NON_ACCOLTO}),
    _P.ACCETTAZIONE: frozenset({_P.SVILUPPO}),
    _P.SVILUPPO: frozenset({_P.VALUTAZIONE_FINALE}),
    _P.VALUTAZIONE_FINALE: frozenset({_P.ACCETTAZIONE, _P.DIMISSIONI}),
    _P.SOLO_REGISTRAZIONE: frozenset(),
    _P.NON_ACCOLTO: frozenset(),
    _P.DIMISSIONI: frozenset(),
}
"""The legal moves: phase -> phases reachable in one step."""

FINAL: Final[frozenset[Phase]] = frozenset(p for p, nxt in TRANSITIONS.items() if not nxt)
"""The closing states (no move leaves them)."""

CLOSED_WITHOUT_PATH: Final[frozenset[Phase]] = frozenset({_P.SOLO_REGISTRAZIONE, _P.NON_ACCOLTO})
"""Closing states reached without a placement path (no interventions to recommend)."""


def number(phase: Phase) -> int | None:
    """The number (1-8) of a phase of the table, ``None`` for a closing state."""
    return NUMBERED.index(phase) + 1 if phase in NUMBERED else None
