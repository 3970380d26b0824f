"""
The vocabulary: frozen attrs models with no I/O, the shared language of DOMAIN.md.

Codes from the field (``equipe_allargata``, ``analisi_preliminare``, ``serd``) are plain
snake_case strings checked against the territory configuration at run time, because
territories extend them; vocabularies fixed by law or by this library are enums.

Two groups live here:

* the **case exchange format** (``Case`` and everything it contains), which is what
  integrators send; its JSON Schema is generated from these classes;
* the **explained result** (``Result``, ``Reason`` ...), which is what the pipeline returns.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

import attrs

from ._categories import BY_CODE, DataCategory, Export
from ._fields import HOUSEHOLD_SUBJECT, field
from ._messages import code_text
from .i18n import text as _text

# --------------------------------------------------------------------------- enums


class Grade(StrEnum):
    """A three-level grade (occupability, complexity): *bassa*, *media*, *alta*."""

    BASSA = "bassa"
    MEDIA = "media"
    ALTA = "alta"


class Activability(StrEnum):
    """Whether the household has members who can take up a work-oriented path now."""

    ATTIVABILE = "attivabile"
    PARZIALMENTE_ATTIVABILE = "parzialmente_attivabile"
    NON_ATTIVABILE = "non_attivabile"


class AssessmentStage(StrEnum):
    """The two stages of the multidimensional assessment (D.Lgs. 147/2017 art. 5)."""

    ANALISI_PRELIMINARE = "analisi_preliminare"
    QUADRO_ANALISI_APPROFONDITO = "quadro_analisi_approfondito"


class EmploymentStatus(StrEnum):
    """A member's condition towards work."""

    OCCUPATO = "occupato"
    DISOCCUPATO = "disoccupato"
    INOCCUPATO = "inoccupato"
    STUDENTE = "studente"
    PENSIONATO = "pensionato"
    INABILE = "inabile"
    ALTRO = "altro"


class EducationLevel(StrEnum):
    """Highest education level reached."""

    NESSUNO = "nessuno"
    LICENZA_ELEMENTARE = "licenza_elementare"
    LICENZA_MEDIA = "licenza_media"
    QUALIFICA_PROFESSIONALE = "qualifica_professionale"
    DIPLOMA = "diploma"
    LAUREA = "laurea"
    POST_LAUREA = "post_laurea"


class ContractType(StrEnum):
    """The kind of a work relationship (the Prato scheda di invio's *tipo di contratto*)."""

    TEMPO_INDETERMINATO = "tempo_indeterminato"
    TEMPO_DETERMINATO = "tempo_determinato"
    APPRENDISTATO = "apprendistato"
    SOMMINISTRAZIONE = "somministrazione"
    LAVORO_INTERMITTENTE = "lavoro_intermittente"
    COLLABORAZIONE = "collaborazione"
    LAVORO_AUTONOMO = "lavoro_autonomo"
    LAVORO_OCCASIONALE = "lavoro_occasionale"
    LAVORO_DOMESTICO = "lavoro_domestico"
    TIROCINIO = "tirocinio"
    SENZA_CONTRATTO_REGOLARE = "senza_contratto_regolare"
    ALTRO = "altro"


class LanguageLevel(StrEnum):
    """A level of the Common European Framework of Reference for Languages, or the mother tongue."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    MADRELINGUA = "madrelingua"


class DrivingLicence(StrEnum):
    """A category of the driving licence (D.Lgs. 285/1992, Codice della strada, art. 116)."""

    AM = "AM"
    A1 = "A1"
    A2 = "A2"
    A = "A"
    B1 = "B1"
    B = "B"
    BE = "BE"
    C1 = "C1"
    C1E = "C1E"
    C = "C"
    CE = "CE"
    D1 = "D1"
    D1E = "D1E"
    D = "D"
    DE = "DE"


class CareGrade(StrEnum):
    """
    The grades of a care load, as the AdI obligations read them (DOMAIN.md §4.2: children
    under 3, three or more minors, a disabled or non-self-sufficient member), and ``altro``.
    """

    FIGLI_SOTTO_3_ANNI = "figli_sotto_3_anni"
    TRE_O_PIU_MINORI = "tre_o_piu_minori"
    COMPONENTE_NON_AUTOSUFFICIENTE = "componente_non_autosufficiente"
    ALTRO = "altro"


class AccessChannel(StrEnum):
    """How a case reached a service: on its own (*accesso diretto*) or sent by another (*invio*)."""

    DIRETTO = "diretto"
    INVIO = "invio"


class ReferralStatus(StrEnum):
    """Referral states: sent -> accepted | refused -> closed; sent/accepted -> withdrawn."""

    SENT = "sent"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class CaseStatus(StrEnum):
    """Where a case is in the shared pipeline (DOMAIN.md §2)."""

    ACCESSO = "accesso"
    VALUTAZIONE = "valutazione"
    PROGETTAZIONE = "progettazione"
    IN_CARICO = "in_carico"
    MONITORAGGIO = "monitoraggio"
    CHIUSO = "chiuso"


class ObjectiveTerm(StrEnum):
    """Short- or long-term objective of a personalised project."""

    BREVE = "breve"
    LUNGO = "lungo"


class IntervalUnit(StrEnum):
    """Unit of a monitoring rhythm."""

    DAYS = "days"
    WEEKS = "weeks"


class DeadlineStatus(StrEnum):
    """
    Where a deadline stands on the as-of date.

    ``met``: an event met it on or before the due date; ``met_late``: only after it (the
    days late are in ``Deadline.days_late``); ``overdue``: not met and the due date has
    passed (``Deadline.days_overdue``); ``due``: not met, due within the warning window;
    ``upcoming``: not met, due later. Only events dated on or before the as-of date count.
    """

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"


class EligibilityOutcome(StrEnum):
    """
    The outcome of a measure's requirements on the as-of date (*esito dei requisiti*).

    ``non_valutabile``: the requirements depend on data the case lacks (the reasons name
    them); ``requisiti_non_codificati``: the sources give no requirements to check;
    ``incompatibile``: the requirements are met but the household gets an incompatible
    measure that prevails.
    """

    NON_IN_VIGORE = "non_in_vigore"
    REQUISITI_SODDISFATTI = "requisiti_soddisfatti"
    REQUISITI_NON_SODDISFATTI = "requisiti_non_soddisfatti"
    NON_VALUTABILE = "non_valutabile"
    REQUISITI_NON_CODIFICATI = "requisiti_non_codificati"
    INCOMPATIBILE = "incompatibile"


class ScoreOutcome(StrEnum):
    """
    What the engine made of a scored instrument's answers (``Score.outcome``).

    ``valutato``: the band is decided (it may be none: below every threshold), also when
    items are missing whose answers could not change it; ``non_valutabile``: missing items
    could change the band (the reason names them); ``non_in_vigore``: no version of the
    instrument is in force on the day it was administered.
    """

    VALUTATO = "valutato"
    NON_VALUTABILE = "non_valutabile"
    NON_IN_VIGORE = "non_in_vigore"


class InterventionStatus(StrEnum):
    """
    Where an intervention stands in a recommendation (``Recommendation.status``).

    ``proposto``: recommended (``Result.interventions``). The others are not proposed
    again (``Result.not_proposed``), since the case's project or history records it (or an
    intervention the catalogue gives as its alternative) by the as-of date: ``svolto``
    done (a project intervention ended, or an ``intervento`` event of the history);
    ``in_corso`` under way (a project intervention started and not ended).
    """

    PROPOSTO = "proposto"
    SVOLTO = "svolto"
    IN_CORSO = "in_corso"


class RoutingOutcome(StrEnum):
    """
    Whether an access or referral is taken (routed) or refused.

    ``non_comunicato`` appears only in a recipient's view, when the routing was decided by
    a rule that may read data the recipient may not receive; the pipeline never returns it.
    """

    ROUTED = "routed"
    REFUSED = "refused"
    COORDINATION = "coordination"
    NON_COMUNICATO = "non_comunicato"


# --------------------------------------------------------------------------- case

HOUSEHOLD_PARTY = "nucleo"
"""The household as a party: an equipe member's role and service, a signature's party."""

ADULT_AGE = 18
"""Age of majority (codice civile, art. 2): a minor's consent is given by a legal representative."""


CASE_FORMAT_VERSION = 2
"""The version of the case exchange format (``Case.format_version``, ``x-format-version`` of
``case.schema.json``). Version 2 added the members' work history, qualifications, skills,
languages, driving licences, graded care load and services in charge; version 1 cases
still load (their ``care_load: true | false`` is read as ``{"other": true}`` or null)."""


@attrs.frozen(kw_only=True)
class WorkExperience:
    """A job the member had or has (*esperienza lavorativa*)."""

    occupation: str = field(
        category=DataCategory.WORK,
        export=Export.DROP,
        doc="The job (mansione), in words written for the services the person is sent to (no special-category"
            " data: a placement at the SerD is a scheduled intervention).",
    )
    sector: str = field(
        category=DataCategory.WORK,
        export=Export.DROP,
        doc="Sector of activity: tessile, commercio, ristorazione, lavoro domestico...",
        default="",
    )
    start: dt.date | None = field(category=DataCategory.WORK, doc="First day, when known.", default=None)
    end: dt.date | None = field(
        category=DataCategory.WORK, doc="Last day; null while the job lasts or when unknown.", default=None
    )
    contract: ContractType | None = field(category=DataCategory.WORK, doc="Kind of contract.", default=None)


@attrs.frozen(kw_only=True)
class Qualification:
    """A qualification, certificate or licence to practise beyond the education level (*titolo, attestato*)."""

    title: str = field(
        category=DataCategory.EDUCATION,
        export=Export.DROP,
        doc="Its name, as written: qualifica di operatore socio-sanitario, attestato HACCP, patentino del muletto...",
    )
    obtained_on: dt.date | None = field(category=DataCategory.EDUCATION, doc="When obtained.", default=None)
    abroad: bool = field(
        category=DataCategory.EDUCATION, doc="Obtained abroad (its recognition in Italy may be needed).", default=False
    )


@attrs.frozen(kw_only=True)
class Language:
    """A language the member speaks, with the level."""

    code: str = field(category=DataCategory.EDUCATION, doc="ISO 639 code of the language: it, en, ar, zh...",
                      kind="code")
    level: LanguageLevel | None = field(
        category=DataCategory.EDUCATION,
        doc="CEFR level (A1-C2) or madrelingua; null when not assessed.",
        default=None,
    )


@attrs.frozen(kw_only=True)
class CareLoad:
    """
    A member's care load (*carichi di cura*), graded by whom the member looks after.

    Who is cared for is given by member id. Looking after a disabled or non-self-sufficient
    member says something about that member's health: ``dependants`` is ``health`` data of
    the household as a whole (every adult member's consent opens it), never of the carer alone.
    """

    children_under_3: tuple[str, ...] = field(
        category=DataCategory.HOUSEHOLD, export=Export.HASH,
        doc="Children under 3 the member looks after (member ids).", factory=tuple, kind="id",
    )
    minors: tuple[str, ...] = field(
        category=DataCategory.HOUSEHOLD, export=Export.HASH,
        doc="Other minors the member looks after (member ids): with the children under 3, three or more are a"
            " care load.",
        factory=tuple, kind="id",
    )
    dependants: tuple[str, ...] = field(
        category=DataCategory.HEALTH, export=Export.HASH, subject=HOUSEHOLD_SUBJECT,
        doc="Disabled or non-self-sufficient members the member looks after (member ids).", factory=tuple, kind="id",
    )
    other: bool = field(
        category=DataCategory.HOUSEHOLD,
        doc="Another care load, or one recorded without detail (a format 1 case's care_load: true).",
        default=False,
    )

    def grades(self) -> tuple[CareGrade, ...]:
        """The grades of this care load (empty: none)."""
        out = []
        if self.children_under_3:
            out.append(CareGrade.FIGLI_SOTTO_3_ANNI)
        if len({*self.children_under_3, *self.minors}) >= 3:  # the AdI's "three or more minors"
            out.append(CareGrade.TRE_O_PIU_MINORI)
        if self.dependants:
            out.append(CareGrade.COMPONENTE_NON_AUTOSUFFICIENTE)
        if self.other:
            out.append(CareGrade.ALTRO)
        return tuple(out)

    def __bool__(self) -> bool:
        """Whether there is a care load at all: an AdI grade or another one (looking after one or two
        minors aged 3 or more is not a care load by itself)."""
        return bool(self.grades())


@attrs.frozen(kw_only=True)
class ProgrammeEnrolment:
    """A member's taking part in a programme or measure path of the territory (``programmes:``), dated."""

    code: str = field(category=BY_CODE.PROGRAMMES, doc="Programme code, one of the territory's programmes.",
                      kind="code")
    since: dt.date = field(category=BY_CODE.PROGRAMMES, doc="First day in the programme.")
    until: dt.date | None = field(category=BY_CODE.PROGRAMMES, doc="Last day in the programme; null: still in it.",
                                  default=None)

    def on(self, day: dt.date) -> bool:
        """Whether the member is in the programme on ``day``."""
        return self.since <= day and (self.until is None or day <= self.until)


@attrs.frozen(kw_only=True)
class Member:
    """A member of the household (*componente del nucleo*)."""

    id: str = field(
        category=DataCategory.IDENTITY, export=Export.HASH, doc="Identifier of the member within the case.", kind="id"
    )
    relation: str = field(
        category=DataCategory.HOUSEHOLD,
        doc="Relation to the applicant: richiedente, coniuge, figlio, genitore, altro...",
        kind="code",
        default="richiedente",
    )
    birth_date: dt.date | None = field(
        category=DataCategory.IDENTITY, export=Export.YEAR, doc="Date of birth.", default=None
    )
    employment: EmploymentStatus | None = field(category=DataCategory.WORK, doc="Condition towards work.", default=None)
    education: EducationLevel | None = field(
        category=DataCategory.EDUCATION, doc="Highest education level.", default=None
    )
    disability_percent: int | None = field(
        category=DataCategory.HEALTH, doc="Certified civil invalidity, percent (0-100).", default=None, ge=0, le=100
    )
    in_socio_sanitary_care: bool = field(
        category=DataCategory.HEALTH,
        doc="In a socio-sanitary care programme certified by a public service (the AdI condition; services says"
            " which services follow the member).",
        default=False,
    )
    care_load: CareLoad | None = field(
        category=DataCategory.HOUSEHOLD,
        doc="The member's care load, by whom the member looks after (null: none recorded). A format 1 case's"
            " true reads as {\"other\": true}, false as null.",
        default=None,
        format_1={"type": "boolean"},
    )
    unemployed_since: dt.date | None = field(
        category=DataCategory.WORK,
        doc="Since when the member has been without work (the end of the last job, or the DID, dichiarazione"
            " di immediata disponibilità).",
        default=None,
    )
    work_history: tuple[WorkExperience, ...] = field(
        category=DataCategory.WORK, doc="Jobs the member had or has, the most recent first.", factory=tuple
    )
    qualifications: tuple[Qualification, ...] = field(
        category=DataCategory.EDUCATION, doc="Qualifications and certificates beyond the education level.",
        factory=tuple,
    )
    skills: tuple[str, ...] = field(
        category=DataCategory.WORK,
        export=Export.DROP,
        doc="Skills useful for work, in the operator's words: uso del PC, cucito industriale...",
        factory=tuple,
    )
    languages: tuple[Language, ...] = field(
        category=DataCategory.EDUCATION, doc="Languages spoken, with the level.", factory=tuple
    )
    driving_licences: tuple[DrivingLicence, ...] | None = field(
        category=DataCategory.WORK,
        doc="Categories of driving licence held: [] none, null not recorded.",
        default=None,
    )
    asks_activation: bool = field(
        category=DataCategory.WORK,
        doc="The member asks to take up a work or inclusion path although exempt from the activation duties"
            " (adesione volontaria: in a care programme, with a care load): the member counts as activable.",
        default=False,
    )
    services: tuple[str, ...] = field(
        category=BY_CODE.SERVICES,
        doc="Services of the territory that have the member in charge now (service ids: ssp, serd, csm...); each"
            " is data of its service's category (followed by the SerD: addiction).",
        factory=tuple,
        kind="id",
    )
    programmes: tuple[ProgrammeEnrolment, ...] = field(
        category=BY_CODE.PROGRAMMES,
        doc="The programmes and measure paths the member takes part in, dated (an AdI path, a L.R. 14/2015"
            " path...): each is data of its programme's category (a path for people with health problems: health).",
        factory=tuple,
    )

    def has_care_load(self) -> bool:
        """Whether the member carries a care load (any grade of :class:`CareLoad`)."""
        return bool(self.care_load)

    def last_job(self) -> WorkExperience | None:
        """The most recent job of the work history (the latest end, a job that lasts first), or None."""
        if not self.work_history:
            return None
        return max(self.work_history, key=lambda w: (w.end is None, w.end or w.start or dt.date.min))

    def months_unemployed(self, on: dt.date) -> int | None:
        """Whole months without work on a date (from ``unemployed_since``), or None when unknown."""
        since = self.unemployed_since
        if since is None or since > on:
            return None
        return (on.year - since.year) * 12 + on.month - since.month - (on.day < since.day)

    def age(self, on: dt.date) -> int | None:
        """Age in whole years on a date, or ``None`` when the birth date is unknown."""
        if self.birth_date is None:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    def minor_on(self, day: dt.date) -> bool:
        """Under 18 on a day (``False`` when the birth date is unknown): a minor consents through a representative."""
        age = self.age(day)
        return age is not None and age < ADULT_AGE


@attrs.frozen(kw_only=True)
class Household:
    """The household (*nucleo familiare*)."""

    id: str = field(category=DataCategory.IDENTITY, export=Export.HASH, doc="Identifier of the household.", kind="id")
    members: tuple[Member, ...] = field(
        category=DataCategory.HOUSEHOLD, doc="Members; the first is the applicant.", nonempty=True
    )
    municipality: str | None = field(
        category=DataCategory.CONTACT, export=Export.DROP, doc="Municipality of residence (its name, the label).",
        default=None
    )
    municipality_code: str | None = field(
        category=DataCategory.CONTACT, export=Export.DROP, default=None, kind="id",
        doc="Code of the municipality of residence (the ISTAT code, or the code the territory's network uses):"
            " it selects the ambito territoriale and its competent services where the territory configures a network.",
    )
    isee: float | None = field(category=DataCategory.ECONOMIC, doc="ISEE value in euro, if known.", default=None, ge=0)


@attrs.frozen(kw_only=True)
class DimensionLevel:
    """The level of need found in one assessment dimension (0 none ... 3 severe)."""

    dimension: str = field(category=BY_CODE.DIMENSIONS, doc="Dimension code, e.g. lavoro, abitare.", kind="code")
    level: int = field(category=BY_CODE.DIMENSIONS, doc="Need level: 0 none, 1 mild, 2 moderate, 3 severe.", ge=0, le=3)
    note: str = field(category=DataCategory.RECORDS, export=Export.DROP, doc="Operator's note.", default="")


@attrs.frozen(kw_only=True)
class Need:
    """A specific need found by the assessment (e.g. ``dipendenze``, ``abitativo``)."""

    code: str = field(category=BY_CODE.NEEDS, doc="Need code, from the territory configuration.", kind="code")
    member: str | None = field(
        category=BY_CODE.NEEDS, export=Export.HASH, doc="Member the need refers to, if one.", default=None, kind="id"
    )
    severity: int = field(category=BY_CODE.NEEDS, doc="1 mild, 2 moderate, 3 severe.", default=2, ge=1, le=3)
    note: str = field(category=DataCategory.RECORDS, export=Export.DROP, doc="Operator's note.", default="")


@attrs.frozen(kw_only=True)
class ScoreRecord:
    """
    The answers to a scored instrument of the territory (``scores:``), as recorded: the
    engine computes the total and the band, never read from the case.
    """

    instrument: str = field(category=BY_CODE.SCORES, doc="Instrument code, from the territory configuration.",
                            kind="code")
    date: dt.date | None = field(
        category=BY_CODE.SCORES, default=None,
        doc="When the instrument was administered (default: the assessment's date): its version in force then"
            " scores it.",
    )
    answers: dict[str, int] = field(
        category=BY_CODE.SCORES, factory=dict,
        doc="The value given to each item, by item code; an item left out is missing (not zero).",
        keys="code",
    )
    note: str = field(category=DataCategory.RECORDS, export=Export.DROP, doc="Operator's note.", default="")


@attrs.frozen(kw_only=True)
class Assessment:
    """A multidimensional assessment (*valutazione multidimensionale*)."""

    date: dt.date = field(category=DataCategory.PROCESS, doc="When the assessment was done.")
    stage: AssessmentStage = field(
        category=DataCategory.PROCESS,
        doc="analisi_preliminare or quadro_analisi_approfondito.",
        default=AssessmentStage.ANALISI_PRELIMINARE,
    )
    by_service: str | None = field(category=BY_CODE.SERVICES, doc="Service that assessed.", default=None, kind="id")
    levels: tuple[DimensionLevel, ...] = field(category=BY_CODE.DIMENSIONS, doc="Level per dimension.", factory=tuple)
    needs: tuple[Need, ...] = field(category=BY_CODE.NEEDS, doc="Specific needs found.", factory=tuple)
    work_ready_members: tuple[str, ...] = field(
        category=DataCategory.WORK,
        export=Export.HASH,
        doc="Members judged able to start a work-oriented path now.",
        factory=tuple,
        kind="id",
    )
    gol_class: int | None = field(
        category=DataCategory.WORK,
        doc="GOL quantitative profiling class, 1-3 (low to high distance from the market).",
        default=None,
        ge=1,
        le=3,
    )
    scores: tuple[ScoreRecord, ...] = field(
        category=BY_CODE.SCORES, doc="Answers to the territory's scored instruments (screenings).", factory=tuple,
    )

    def level(self, dimension: str) -> int:
        """The level recorded for a dimension, 0 when not recorded."""
        return max((d.level for d in self.levels if d.dimension == dimension), default=0)

    def need_codes(self) -> frozenset[str]:
        """The codes of every need recorded."""
        return frozenset(n.code for n in self.needs)


@attrs.frozen(kw_only=True)
class Access:
    """How the case reached the services (*accesso*)."""

    date: dt.date = field(category=DataCategory.PROCESS, doc="Date of access or of the referral.")
    point: str = field(
        category=BY_CODE.SERVICES, doc="Service id where the case arrived (pua, cpi, siil...).", kind="id"
    )
    channel: AccessChannel = field(
        category=DataCategory.PROCESS, doc="diretto or invio.", default=AccessChannel.DIRETTO
    )
    from_service: str | None = field(
        category=BY_CODE.SERVICES, doc="Sending service id, when channel is invio.", default=None, kind="id"
    )
    request: str = field(
        category=DataCategory.RECORDS, export=Export.DROP, doc="What the person asks for, in their words.", default=""
    )


@attrs.frozen(kw_only=True)
class ReferralResponse:
    """The receiving service's answer to a referral."""

    on: dt.date = field(category=DataCategory.PROCESS, doc="Date of the answer.")
    by: str = field(category=DataCategory.PROCESS, export=Export.DROP, doc="Operator or service answering.", default="")
    reason: str = field(
        category=DataCategory.SOCIAL, export=Export.DROP, doc="Reason, mandatory for a refusal.", default=""
    )
    code: str | None = field(
        category=DataCategory.PROCESS,
        doc="Code of a refusal, one of the receiving service's refusal_codes (absent in cases written before"
            " codes existed): what the sender receives, while the free-text reason may be withheld; withheld"
            " where what the service's codes reveal (refusal_codes.*.reveals) may not flow.",
        default=None,
        kind="code",
    )


@attrs.frozen(kw_only=True)
class Referral:
    """
    A referral between services (*invio / segnalazione*), a small state machine.

    Use :func:`inclusione_core.referrals.accept` and friends to move it; they refuse
    illegal transitions. ``snapshot`` keeps what was sent (the *scheda di invio*).
    """

    id: str = field(category=DataCategory.PROCESS, export=Export.HASH, doc="Referral identifier.", kind="id")
    from_service: str = field(category=BY_CODE.SERVICES, doc="Sending service id.", kind="id")
    to_service: str = field(category=BY_CODE.SERVICES, doc="Receiving service id.", kind="id")
    channel: str = field(category=DataCategory.PROCESS, doc="Channel: scheda_invio, prenotazione, pec...", kind="code")
    reason: str = field(
        category=DataCategory.SOCIAL,
        export=Export.DROP,
        doc="Why the case is sent, written for the receiving service (no special-category data: put those in needs).",
    )
    sent_on: dt.date = field(category=DataCategory.PROCESS, doc="Date sent.")
    status: ReferralStatus = field(category=DataCategory.PROCESS, doc="Current state.", default=ReferralStatus.SENT)
    snapshot: dict[str, Any] = field(
        category=DataCategory.RECORDS, export=Export.DROP, doc="What was sent, as sent.", factory=dict
    )
    response: ReferralResponse | None = field(
        category=DataCategory.PROCESS, doc="The receiving service's answer.", default=None
    )
    closed_on: dt.date | None = field(category=DataCategory.PROCESS, doc="Date closed or withdrawn.", default=None)
    closing_reason: str = field(
        category=DataCategory.SOCIAL, export=Export.DROP, doc="Why it was withdrawn or closed, when given.", default=""
    )


@attrs.frozen(kw_only=True)
class Objective:
    """An objective of the personalised project (*traguardo concreto e negoziabile*)."""

    text: str = field(category=DataCategory.SOCIAL, export=Export.DROP, doc="The objective.")
    term: ObjectiveTerm = field(category=DataCategory.SOCIAL, doc="breve or lungo.", default=ObjectiveTerm.BREVE)
    target_date: dt.date | None = field(category=DataCategory.SOCIAL, doc="When it should be reached.", default=None)


@attrs.frozen(kw_only=True)
class ScheduledIntervention:
    """An intervention scheduled in a project."""

    code: str = field(category=BY_CODE.INTERVENTIONS, doc="Intervention type code from the catalogue.", kind="code")
    provider: str | None = field(category=BY_CODE.SERVICES, doc="Providing service id.", default=None, kind="id")
    start: dt.date = field(category=BY_CODE.INTERVENTIONS, doc="Start date.")
    end: dt.date | None = field(category=BY_CODE.INTERVENTIONS, doc="Planned end date.", default=None)
    weekly_hours: float | None = field(
        category=BY_CODE.INTERVENTIONS, doc="Hours per week.", default=None, ge=0, le=168
    )
    host_enterprise: str | None = field(
        category=BY_CODE.INTERVENTIONS,
        export=Export.HASH,  # a small enterprise, with the dates, may point to the person: hashed like an id
        doc="The enterprise hosting it (a traineeship, a job placement): an id of the territory's enterprises"
            " (enterprises.entries), checked when the territory configures some; null when none hosts it.",
        default=None,
        kind="id",
    )


@attrs.frozen(kw_only=True)
class Commitment:
    """A commitment of the household (*impegno del nucleo*)."""

    text: str = field(category=DataCategory.SOCIAL, export=Export.DROP, doc="The commitment.")
    member: str | None = field(
        category=DataCategory.SOCIAL, export=Export.HASH, doc="Member who commits, if one.", default=None, kind="id"
    )


@attrs.frozen(kw_only=True)
class Signature:
    """A signature of the project (*verbale di condivisione progettuale*)."""

    party: str = field(
        category=BY_CODE.SERVICES,
        doc="Who signs: nucleo (the household) or the id of the signing service (ssp, cpi, serd...).",
        kind="code",
    )
    name: str = field(category=DataCategory.PROCESS, export=Export.DROP, doc="Name of who signed.")
    signed_on: dt.date = field(category=DataCategory.PROCESS, doc="Date signed.")


@attrs.frozen(kw_only=True)
class MonitoringRhythm:
    """How often the project is reviewed (*stati di avanzamento*)."""

    every: int = field(category=DataCategory.PROCESS, doc="Interval between reviews.", ge=1, le=366)
    unit: IntervalUnit = field(category=DataCategory.PROCESS, doc="days or weeks.", default=IntervalUnit.DAYS)

    def days(self) -> int:
        """The interval in days."""
        return self.every * (7 if self.unit is IntervalUnit.WEEKS else 1)


@attrs.frozen(kw_only=True)
class Project:
    """The personalised project (*progetto personalizzato*, *patto*)."""

    id: str = field(category=DataCategory.PROCESS, export=Export.HASH, doc="Project identifier.", kind="id")
    start: dt.date = field(category=DataCategory.PROCESS, doc="Start date.")
    end: dt.date | None = field(category=DataCategory.PROCESS, doc="Planned end date.", default=None)
    objectives: tuple[Objective, ...] = field(
        category=DataCategory.SOCIAL, doc="Short- and long-term objectives.", factory=tuple
    )
    interventions: tuple[ScheduledIntervention, ...] = field(
        category=BY_CODE.INTERVENTIONS, doc="Scheduled interventions.", factory=tuple
    )
    commitments: tuple[Commitment, ...] = field(
        category=DataCategory.SOCIAL, doc="Household commitments.", factory=tuple
    )
    responsible_operator: str = field(
        category=DataCategory.PROCESS, export=Export.DROP, doc="Case manager / responsible operator.", default=""
    )
    monitoring: MonitoringRhythm | None = field(category=DataCategory.PROCESS, doc="Review rhythm.", default=None)
    reviews_done: tuple[dt.date, ...] = field(
        category=DataCategory.PROCESS, doc="Dates of reviews held.", factory=tuple
    )
    signatures: tuple[Signature, ...] = field(
        category=BY_CODE.SERVICES, doc="Signatures of the parties.", factory=tuple
    )


@attrs.frozen(kw_only=True)
class MeasureEnrolment:
    """A national or regional measure the household receives, with its dates."""

    code: str = field(category=DataCategory.ECONOMIC, doc="Measure code: rdc, adi, sfl, gol...", kind="code")
    valid_from: dt.date = field(category=DataCategory.ECONOMIC, doc="First day in force for this household.")
    valid_to: dt.date | None = field(category=DataCategory.ECONOMIC, doc="Last day, if ended.", default=None)

    def active_on(self, day: dt.date) -> bool:
        """Whether the enrolment covers a day."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Purpose(StrEnum):
    """Why data is disclosed (the purposes of the privacy configuration)."""

    ASSESSMENT = "assessment"
    EQUIPE = "equipe"
    REFERRAL = "referral"
    COORDINATION = "coordination"
    MONITORING = "monitoring"
    STATISTICS = "statistics"


class RepresentativeRole(StrEnum):
    """Who may consent for a data subject who cannot (a minor, a person under protection)."""

    GENITORE = "genitore"
    TUTORE = "tutore"
    CURATORE = "curatore"
    AMMINISTRATORE_DI_SOSTEGNO = "amministratore_di_sostegno"


@attrs.frozen(kw_only=True)
class Representative:
    """The legal representative who gave a consent on the data subject's behalf."""

    role: RepresentativeRole = field(
        category=DataCategory.IDENTITY, doc="genitore, tutore, curatore or amministratore_di_sostegno."
    )
    name: str = field(category=DataCategory.IDENTITY, export=Export.DROP, doc="Name of the representative.")
    member: str | None = field(
        category=DataCategory.IDENTITY,
        export=Export.HASH,
        doc="The representative's member id, when they belong to the household (a parent).",
        default=None,
        kind="id",
    )
    evidence: str = field(
        category=DataCategory.PROCESS,
        export=Export.DROP,
        doc="Reference to the act or record giving the power to represent (e.g. the decree).",
        default="",
    )


@attrs.frozen(kw_only=True)
class Consent:
    """
    A consent of one data subject to disclose categories of **their** data to kinds of
    recipients for purposes.

    ``member`` is the data subject: the consent opens only data about that member (and,
    when every adult member has consented, data about the household as a whole). A minor
    cannot consent: their legal ``representative`` does, and is recorded. Valid from
    ``given_on``; it stops being valid after ``expires_on`` and from ``withdrawn_on`` (a
    withdrawal takes effect on its date). Validity is judged on the day the data leave,
    never on the as-of date of the rules.
    """

    id: str = field(category=DataCategory.PROCESS, export=Export.HASH, doc="Consent identifier.", kind="id")
    member: str = field(
        category=DataCategory.IDENTITY,
        export=Export.HASH,
        doc="The data subject: the member whose data the consent covers (who gave it, unless a representative did).",
        kind="id",
    )
    representative: Representative | None = field(
        category=DataCategory.IDENTITY,
        doc="The legal representative who consented for the member (required for a minor).",
        default=None,
    )
    categories: tuple[DataCategory, ...] = field(
        category=DataCategory.PROCESS, doc="Data categories covered.", nonempty=True
    )
    recipients: tuple[str, ...] = field(
        category=DataCategory.PROCESS,
        doc="Recipient kinds covered (serd, cpi, terzo_settore...).",
        nonempty=True,
        kind="code",
    )
    purposes: tuple[Purpose, ...] = field(category=DataCategory.PROCESS, doc="Purposes covered.", nonempty=True)
    given_on: dt.date = field(category=DataCategory.PROCESS, doc="Date given.")
    expires_on: dt.date | None = field(category=DataCategory.PROCESS, doc="Last day of validity.", default=None)
    withdrawn_on: dt.date | None = field(
        category=DataCategory.PROCESS, doc="Date of withdrawal (no longer valid from this date).", default=None
    )
    evidence: str = field(
        category=DataCategory.PROCESS, export=Export.DROP, doc="Reference to the signed form or record.", default=""
    )

    def valid_on(self, day: dt.date) -> bool:
        """Whether the consent is in force on a day."""
        if day < self.given_on:
            return False
        if self.expires_on is not None and day > self.expires_on:
            return False
        return self.withdrawn_on is None or day < self.withdrawn_on

    def covers(self, category: DataCategory, recipient: str, purpose: Purpose, day: dt.date) -> bool:
        """Whether it covers a category, to a recipient kind, for a purpose, on a day."""
        return (
            self.valid_on(day)
            and category in self.categories
            and recipient in self.recipients
            and purpose in self.purposes
        )


INTERVENTION_EVENT = "intervento"
"""The kind of a history event recording an intervention carried out (``CaseEvent.intervention``)."""


@attrs.frozen(kw_only=True)
class CaseEvent:
    """An event in a case's append-only history."""

    on: dt.date = field(category=DataCategory.PROCESS, doc="Date of the event.")
    kind: str = field(
        category=DataCategory.PROCESS, doc="Event kind: accesso, invio, valutazione, equipe, patto...", kind="code"
    )
    by: str = field(category=DataCategory.RECORDS, export=Export.DROP, doc="Who recorded it.", default="")
    note: str = field(category=DataCategory.RECORDS, export=Export.DROP, doc="Free note.", default="")
    intervention: str | None = field(
        category=BY_CODE.INTERVENTIONS,
        doc="For an event of kind intervento: the intervention of the catalogue carried out on that date (one of"
            " an earlier project, or done before the case came here); it is not proposed again.",
        default=None,
        kind="code",
    )
    code: str | None = field(
        category=DataCategory.PROCESS,
        doc="Code of a refusal the event records (a referral refused, a SIL negative decision), one of the"
            " refusing service's refusal_codes; absent otherwise and in cases written before codes existed. Withheld"
            " where what any service's codes reveal (refusal_codes.*.reveals) may not flow.",
        default=None,
        kind="code",
    )


@attrs.frozen(kw_only=True)
class Case:
    """
    A case: a household, how it arrived, its assessment, project, measures and history.

    This is the root of the case exchange format (``case.schema.json``).
    """

    id: str = field(category=DataCategory.PROCESS, export=Export.HASH, doc="Case identifier.", kind="id")
    territory: str = field(category=DataCategory.PROCESS, doc="Territory id whose rules apply.", kind="code")
    format_version: int = field(
        category=DataCategory.PROCESS,
        doc="Version of the case exchange format the case was written in (absent: the current one; version 1"
            " cases load, their older forms migrated). A newer version than this library reads is refused.",
        default=CASE_FORMAT_VERSION,
        ge=1,
        le=CASE_FORMAT_VERSION,
    )
    status: CaseStatus = field(category=DataCategory.PROCESS, doc="Pipeline status.", default=CaseStatus.ACCESSO)
    opened_on: dt.date = field(category=DataCategory.PROCESS, doc="Date the case was opened.")
    household: Household = field(category=DataCategory.HOUSEHOLD, doc="The household.")
    access: Access | None = field(category=DataCategory.PROCESS, doc="How the case arrived.", default=None)
    assessment: Assessment | None = field(category=DataCategory.PROCESS, doc="Latest assessment.", default=None)
    referrals: tuple[Referral, ...] = field(
        category=BY_CODE.SERVICES, doc="Referrals sent for this case.", factory=tuple
    )
    project: Project | None = field(category=DataCategory.PROCESS, doc="Personalised project.", default=None)
    measures: tuple[MeasureEnrolment, ...] = field(
        category=DataCategory.ECONOMIC, doc="Measures received.", factory=tuple
    )
    operator: str = field(
        category=DataCategory.PROCESS,
        export=Export.DROP,
        doc="Responsible social worker (assistente sociale titolare).",
        default="",
    )
    consents: tuple[Consent, ...] = field(
        category=DataCategory.RECORDS, doc="Consents to disclose data, with their dates.", factory=tuple
    )
    history: tuple[CaseEvent, ...] = field(
        category=DataCategory.PROCESS, doc="Append-only history of events.", factory=tuple
    )

    def measures_on(self, day: dt.date) -> frozenset[str]:
        """Codes of the measures active on a day."""
        return frozenset(m.code for m in self.measures if m.active_on(day))


# --------------------------------------------------------------------------- result


DOCUMENT_KINDS = ("norma", "delibera", "linee_guida", "protocollo", "articolo_descrittivo")
"""The kinds of a registry document (``documents.<id>.kind``)."""

BINDING_KINDS = frozenset({"norma", "delibera"})
"""The kinds that bind: acts (laws, decrees, regulations) and resolutions of a public body."""

DEFAULT = "default"
"""The kind of a citation that names a project default, not a document."""


def _long_date(day: dt.date, lang: str) -> str:
    return f"{day.day} {code_text('month', str(day.month), lang)} {day.year}"


def _section_text(section: str) -> str:
    """``§ Heading``, or an article or annex as it is written (``art. 5, comma 2``)."""
    return section if section.startswith(("§", "art", "All")) else f"§ {section}"


def _kind_text(kind: str, describes: tuple[str, ...], lang: str) -> str:
    """What a document that does not bind is (an article describing acts, guidelines...)."""
    return code_text("kind", f"{kind}.atti" if kind == "articolo_descrittivo" and describes else kind, lang)


def _designation(issuer: str, number: str, title: str, date: dt.date | None, lang: str) -> list[str]:
    """Issuer and designation (``DGRT n. 544/2023``), or issuer, title and date when there is no number."""
    parts = [issuer] if issuer else []
    if number:
        parts.append(number)
    else:
        if title:
            parts.append(f'"{title}"')
        if date is not None:
            parts.append(_long_date(date, lang))
    return parts


def _reference_text(document: str, via: SourceDocument | None, lang: str) -> str:
    """A document, and the article through which it is read."""
    return document if via is None else f"{document}, {code_text('citation', 'via', lang)} {via.text(lang)}"


def _default_text(note: str, document: str, section: str, lang: str) -> str:
    """A project default: never a quote; its explanation, and the document that leaves the value open."""
    text = code_text("kind", DEFAULT, lang)
    if note:
        text += f": {_text(note, lang)}"
    if document:
        ref = f"{document}, {_section_text(section)}" if section else document
        text += f" — {code_text('citation', 'reference', lang)}: {ref}"
    return text


@attrs.frozen(kw_only=True)
class SourceDocument:
    """
    A document of a territory's registry (``documents:``), as an operator recognises it.

    :ivar id: the registry id (the key under ``documents:``).
    :ivar kind: the kind: norma, delibera, linee_guida, protocollo or articolo_descrittivo.
    :ivar issuer: who issued or wrote it (Regione Toscana; the authors of an article).
    :ivar number: the act's designation as it is cited (DGRT n. 544/2023).
    :ivar date: its date, when the sources give it.
    :ivar title: its title.
    :ivar url: where it is published.
    :ivar sha256: SHA-256 of the text that quotes were checked against ("" when none was).
    :ivar describes: for a descriptive article, the ids of the acts it describes.
    """

    id: str
    kind: str
    issuer: str = ""
    number: str = ""
    date: dt.date | None = None
    title: str = ""
    url: str = ""
    sha256: str = ""
    describes: tuple[str, ...] = ()

    @property
    def binding(self) -> bool:
        """Whether it binds (a norma or a delibera) rather than describes or guides."""
        return self.kind in BINDING_KINDS

    def text(self, lang: str = "it") -> str:
        """
        The document as an operator recognises it: issuer, designation (or title and date),
        and its kind when it does not bind (``Regione Toscana, DGRT n. 544/2023``).
        """
        text = ", ".join(_designation(self.issuer, self.number, self.title, self.date, lang)) or self.id
        if not self.binding:
            text += f" ({_kind_text(self.kind, self.describes, lang)})"
        return text


@attrs.frozen(kw_only=True)
class Citation:
    """
    Where a rule comes from: a document of the territory's registry (with its section and
    quote), or a project default that no document fixes.

    What an operator reads is :meth:`text` (``text_it`` and ``text_en`` in the JSON), e.g.
    ``Regione Toscana, DGRT n. 544/2023, § Le equipe multiprofessionali``; a document that
    does not bind says what it is (``articolo descrittivo di una prassi, non vincolante``),
    and a default reads ``impostazione predefinita, modificabile`` with its explanation,
    never a quote. Renderers show that text, never the registry id.

    :ivar document: the registry id of the document cited ("" for a default naming none).
    :ivar kind: the kind of the document cited (norma, delibera, linee_guida, protocollo,
        articolo_descrittivo), or default for a project default.
    :ivar issuer: who issued or wrote the document.
    :ivar number: the act's designation (DGRT n. 544/2023).
    :ivar date: the document's date, when the sources give it.
    :ivar title: the document's title.
    :ivar binding: whether the rule rests on a document that binds (a norma or a delibera);
        false for a default.
    :ivar section: the section, article or heading cited.
    :ivar quote: the words of the document the rule rests on, verbatim (never for a default).
    :ivar note: what the citation adds in its own words; for a default, the explanation.
    :ivar via: the descriptive article through which the act is read: the section and
        quote are then the article's.
    :ivar text_it: the citation as an operator reads it, in Italian (left out of the compact
        form, like the registry's fields: rendered from them).
    :ivar text_en: the same in English.
    """

    document: str = ""
    kind: str = DEFAULT
    issuer: str = ""
    number: str = ""
    date: dt.date | None = None
    title: str = ""
    binding: bool = False
    section: str = ""
    quote: str = ""
    note: str = ""
    via: SourceDocument | None = None
    text_it: str = ""
    text_en: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.text_it:  # made in code or from a registry: render it once, in both languages
            object.__setattr__(self, "text_it", self._render("it"))
            object.__setattr__(self, "text_en", self._render("en"))
        if type(self.note) is not str:  # a Message: its Italian (the English is in text_en)
            object.__setattr__(self, "note", str.__str__(self.note))

    @classmethod
    def of(cls, document: SourceDocument, *, section: str = "", quote: str = "", note: str = "",
           via: SourceDocument | None = None) -> Citation:
        """A citation of a registry document (``via``: the article through which it is read)."""
        return cls(document=document.id, kind=document.kind, issuer=document.issuer, number=document.number,
                   date=document.date, title=document.title, binding=document.binding, section=section,
                   quote=quote, note=note, via=via)

    @classmethod
    def default(cls, note: str, *, document: SourceDocument | None = None, section: str = "",
                via: SourceDocument | None = None) -> Citation:
        """
        A project default, explained by ``note`` (a :class:`~inclusione_core.i18n.Message`
        for one written in code); ``document``: the one that leaves the value open, if any.
        """
        if document is None:
            return cls(kind=DEFAULT, note=note, section=section, via=via)
        texts = {lang: _default_text(note, _reference_text(document.text(lang), via, lang), section, lang)
                 for lang in ("it", "en")}  # the document's own kind too: a default cites no kind of its own
        return cls(document=document.id, kind=DEFAULT, issuer=document.issuer, number=document.number,
                   date=document.date, title=document.title, section=section, note=note, via=via,
                   text_it=texts["it"], text_en=texts["en"])

    @property
    def is_default(self) -> bool:
        """Whether this names a project default rather than a document."""
        return self.kind == DEFAULT

    def text(self, lang: str = "it") -> str:
        """The citation for an operator, in Italian (``it``) or English (``en``)."""
        return self.text_en if lang == "en" else self.text_it

    def document_text(self, lang: str = "it") -> str:
        """The document alone, as an operator recognises it (and the article it is read through)."""
        text = ", ".join(_designation(self.issuer, self.number, self.title, self.date, lang)) or self.document
        if text and not self.is_default and not self.binding:
            text += f" ({_kind_text(self.kind, (), lang)})"
        return _reference_text(text, self.via, lang)

    def _render(self, lang: str) -> str:
        if self.is_default:
            return _default_text(self.note, self.document_text(lang) if self.document else "", self.section, lang)
        parts = [self.document_text(lang)]
        if self.section:
            parts.append(_section_text(self.section))
        if self.quote:
            parts.append(f"«{self.quote}»")
        text = ", ".join(parts)
        if self.note:
            text += f" — {code_text('citation', 'note', lang)}: {_text(self.note, lang)}"
        return text

    def __str__(self) -> str:
        return self.text_it


@attrs.frozen(kw_only=True)
class DecidedBy:
    """
    Provenance of one decision: the plugin (distribution) and version that answered.

    :ivar plugin: the plugin (distribution) name, or inclusione_core for the core defaults.
    :ivar version: its version.
    """

    plugin: str
    version: str


@attrs.frozen(kw_only=True)
class Reason:
    """
    The reason for a decision: rule, territory, message in Italian and English, source, inputs.

    :ivar rule: the id of the rule that decided.
    :ivar territory: the territory layer whose rule decided.
    :ivar message_it: the reason in Italian, for operators.
    :ivar message_en: the reason in English.
    :ivar source: where the rule comes from.
    :ivar defined_in: the configuration file(s) that defined the rule ("" for code rules).
    :ivar inputs: the facts the rule used, as JSON-ready values, so a reader can check it.
    :ivar categories: the data categories of those facts: a reason is shown to a recipient
        only if every one of them may be disclosed to it.
    :ivar valid_from: the first day of the period of the version of the configuration entry
        applied (null: the entry has no period, or the rule is the library's).
    :ivar valid_to: the last day of that period (null: open, still in force).
    """

    rule: str
    territory: str
    message_it: str
    message_en: str
    source: Citation
    inputs: dict[str, Any] = attrs.field(factory=dict)
    defined_in: str = ""
    categories: tuple[str, ...] = ("process",)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def message(self, lang: str = "it") -> str:
        """The message in a language (``it`` or ``en``)."""
        return self.message_en if lang == "en" else self.message_it


@attrs.frozen(kw_only=True)
class Profile:
    """
    The profile that the assessment yields.

    Grades are ``None`` while the case has not been assessed; ``pathway`` is then
    ``da_valutare``.

    :ivar occupability: distance from the labour market: bassa, media, alta (null: not assessed or masked).
    :ivar complexity: complexity of the needs: bassa, media, alta (null: not assessed or masked).
    :ivar activability: whether members can take up a work-oriented path now (null: not assessed or masked).
    :ivar pathway: the pathway code (da_valutare before the assessment; non_comunicato when masked).
    :ivar flags: the flags raised (codes of the configuration).
    """

    occupability: Grade | None
    complexity: Grade | None
    activability: Activability | None
    pathway: str
    flags: tuple[str, ...] = ()
    derived_from: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    """The data categories each part was decided from (``complexity``, ``flag.<code>``...):
    a later rule that looks at that part uses those categories too."""


@attrs.frozen(kw_only=True)
class ProfileDecision:
    """
    A profile and the reasons for each of its parts.

    :ivar profile: the profile.
    :ivar reasons: the reasons for its parts.
    :ivar decided_by: the plugin that answered.
    """

    profile: Profile
    reasons: tuple[Reason, ...]
    decided_by: DecidedBy | None = None


@attrs.frozen(kw_only=True)
class Coordination:
    """
    The case is already on another path of a programme that overlaps with the one it came to:
    it is not taken twice, the parties are informed instead (a routing outcome beside routed
    and refused).

    :ivar rule: the coordination rule that applied (the key of ``coordination.<id>``).
    :ivar programmes: the overlapping programmes the household's members are in on the date.
    :ivar inform: the service ids to inform; each receives the case through a view for the
        purpose ``coordination`` (``Engine.disclose_case(..., purpose="coordination")``), with
        what its flows allow.
    """

    rule: str
    programmes: tuple[str, ...]
    inform: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Routing:
    """
    Where the case goes: which service, by which channel, within which deadline.

    :ivar outcome: routed, refused or coordination (non_comunicato when masked in a view).
    :ivar service: the service id the case goes to (for a refusal, the one that refuses).
    :ivar channel: the channel code (non_comunicato when masked).
    :ivar deadline: the date by which the service must take the case, if any.
    :ivar reasons: the reasons for the routing.
    :ivar decided_by: the plugin that answered.
    :ivar alternatives: service ids suggested instead, after a refusal.
    :ivar coordination: with the outcome ``coordination``: the overlapping programmes and the
        parties to inform; ``None`` otherwise and when the routing is masked in a view.
    :ivar refusal_code: for a refusal, its code (one of the refusing service's
        ``refusal_codes``), when the rule names one; ``None`` otherwise and when the
        routing is masked in a view (the code is part of the decision: it shows exactly
        when the outcome shows).
    """

    outcome: RoutingOutcome
    service: str | None
    channel: str
    deadline: dt.date | None
    reasons: tuple[Reason, ...]
    decided_by: DecidedBy | None = None
    alternatives: tuple[str, ...] = ()
    refusal_code: str | None = None
    coordination: Coordination | None = None


@attrs.frozen(kw_only=True)
class EquipeMember:
    """
    One member of a composed equipe, with the reason for being there.

    :ivar role: the role code.
    :ivar service: the service id the member comes from.
    :ivar reason: why the member is there.
    """

    role: str
    service: str
    reason: Reason


@attrs.frozen(kw_only=True)
class NetworkAssignment:
    """
    Where the case's municipality sits in the territory's network (``network:``): its ambito
    territoriale and the services competent for it.

    :ivar municipality: the case's municipality code.
    :ivar ambito: the ambito's code; null when the configured network does not list the
        municipality (the network is what an integrator filled, not an official list).
    :ivar services: the competent services of the ambito, by kind of service (cpi, ssp):
        their names as the configuration gives them.
    :ivar reason: why (the configured network, its source), reading the municipality
        (contact data).
    """

    municipality: str
    ambito: str | None
    services: dict[str, str] = attrs.field(factory=dict)
    reason: Reason


@attrs.frozen(kw_only=True)
class Placement:
    """
    An open position of an enterprise (``enterprises.entries``) that fits a work-ready member:
    what :func:`inclusione_core.match_positions` proposes, best first.

    :ivar member: the member (one the assessment names ready for a work path).
    :ivar enterprise: the enterprise's id.
    :ivar position: the position's id within the enterprise.
    :ivar kind: tirocinio (traineeship) or lavoro (job).
    :ivar inclusive: whether the enterprise is, on the as-of date, in a registry of
        inclusive enterprises (``registries.*.inclusive``): those come first.
    :ivar registries: the registries the enterprise is in on the as-of date (an Albo, a
        board), ids of ``enterprises.registries``.
    :ivar marks: the marks those registries grant (Azienda Inclusiva), in Italian.
    :ivar fit: how many of the position's sectors, occupations and skills the member's
        work profile matches (0: the position asks for none of them, or none matched).
    :ivar matched: what matched, by kind (``settori``, ``mansioni``, ``competenze``): the
        position's codes and words, never the case's free text.
    :ivar to_check: the position's requirements the case does not record (the education
        level, the driving licences): to verify before proposing the person.
    :ivar open_to: the channels that may propose people for the position (codes of
        ``enterprises.channels``).
    :ivar example: whether the enterprise is an example, neither real nor official.
    :ivar reasons: why it fits, citing the position's source, then one reason per registry
        the enterprise is in on the as-of date, citing the membership's source; each reads
        only identity, work and education data.
    """

    member: str
    enterprise: str
    position: str
    kind: str
    inclusive: bool
    registries: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    fit: int = 0
    matched: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    to_check: tuple[str, ...] = ()
    open_to: tuple[str, ...] = ()
    example: bool = False
    reasons: tuple[Reason, ...]


@attrs.frozen(kw_only=True)
class Equipe:
    """
    A composed equipe: its format, mode, whether the household takes part, and members.

    ``household_takes_part`` is ``None`` only in a recipient's view where the equipe is
    masked (its format was chosen by a rule that may read data the recipient may not receive).

    :ivar format: the equipe format code (non_comunicato when masked).
    :ivar label: its label in Italian (non_comunicato when masked).
    :ivar household_takes_part: whether the household takes part (null when masked).
    :ivar modes: in_presenza, online.
    :ivar members: the members, each with the reason for being there.
    :ivar reasons: the reasons for the format.
    :ivar decided_by: the plugin that answered.
    """

    format: str
    label: str
    household_takes_part: bool | None
    modes: tuple[str, ...]
    members: tuple[EquipeMember, ...]
    reasons: tuple[Reason, ...]
    decided_by: DecidedBy | None = None

    NONE: ClassVar[str] = "nessuna"
    """The format of "no equipe"."""

    @classmethod
    def none(cls, reason: Reason) -> Equipe:
        """No equipe convened (format ``nessuna``, no members), with why."""
        return cls(format=cls.NONE, label="nessuna equipe", household_takes_part=False, modes=(), members=(),
                   reasons=(reason,))


@attrs.frozen(kw_only=True)
class Recommendation:
    """
    A recommended intervention, in order, with rationale and prerequisites.

    :ivar code: the intervention code of the catalogue.
    :ivar label: its label in Italian.
    :ivar category: its category (orientamento, formazione, tirocinio...).
    :ivar provider_kinds: the kinds of service that can provide it.
    :ivar prerequisites: the interventions that must come before it (propedeuticità).
    :ivar funding: its funding sources as the catalogue gives them (fse, nazionale,
        regionale, privato); empty when the catalogue does not say.
    :ivar reason: why it is recommended, or why it is not proposed again.
    :ivar status: proposto; or svolto (done) or in_corso (under way), not proposed again.
    :ivar since: for svolto, when it was done (the end, or the history event's date); for
        in_corso, when it started; null for proposto.
    :ivar decided_by: the plugin that answered.
    """

    code: str
    label: str
    category: str
    provider_kinds: tuple[str, ...]
    prerequisites: tuple[str, ...]
    reason: Reason
    funding: tuple[str, ...] = ()
    status: InterventionStatus = InterventionStatus.PROPOSTO
    since: dt.date | None = None
    decided_by: DecidedBy | None = None

    @property
    def proposed(self) -> bool:
        """Whether it is recommended (not one done or under way)."""
        return self.status is InterventionStatus.PROPOSTO


@attrs.frozen(kw_only=True)
class Deadline:
    """
    A deadline computed for the case (reviews, referral answers, legal terms).

    :ivar code: the deadline code (``code.suffix`` for one of several: a referral, a period).
    :ivar label: its label in Italian.
    :ivar due: the date it falls due.
    :ivar status: upcoming, due, overdue, met or met_late, on the as-of date.
    :ivar reason: the rule and term that set it.
    :ivar met_on: the date of the event that met it (null: not met by the as-of date).
    :ivar days_late: for ``met_late``, the days from the due date to ``met_on``; 0 for
        ``met``; null when not met.
    :ivar days_overdue: for ``overdue``, the days from the due date to the as-of date; null
        otherwise.
    :ivar decided_by: the plugin that answered.
    """

    code: str
    label: str
    due: dt.date
    status: DeadlineStatus
    reason: Reason
    met_on: dt.date | None = None
    days_late: int | None = None
    days_overdue: int | None = None
    decided_by: DecidedBy | None = None


@attrs.frozen(kw_only=True)
class Eligibility:
    """
    Whether a measure applies to the household on the as-of date.

    :ivar measure: the measure code.
    :ivar in_force: whether the measure is in force on the as-of date.
    :ivar eligible: whether the measure applies to the household (null: not decided,
        because data are missing or no requirement is coded, or masked in a view).
    :ivar reasons: the reasons.
    :ivar decided_by: the plugin that answered.
    :ivar outcome: what was decided, beyond yes or no: requirements met or not, not
        assessable for missing data, requirements not coded, incompatible with a measure
        that prevails (null: not given by the plugin that answered, or masked with
        ``eligible`` in a view).
    """

    measure: str
    in_force: bool
    eligible: bool | None
    reasons: tuple[Reason, ...]
    decided_by: DecidedBy | None = None
    outcome: EligibilityOutcome | None = None


@attrs.frozen(kw_only=True)
class Score:
    """
    A scored instrument as the engine computed it from the answers recorded (the latest
    record of the instrument by the as-of date).

    :ivar instrument: the instrument code (``scores.<code>`` of the configuration).
    :ivar date: the day it was administered, whose version of the instrument and
        thresholds applied.
    :ivar total: the weighted sum of the items answered (missing items add nothing).
    :ivar band: the highest band whose threshold the total reaches; null below every
        threshold or when not assessable (a view withholds the whole score where its
        categories may not flow).
    :ivar outcome: valutato, non_valutabile (missing items could change the band) or
        non_in_vigore.
    :ivar missing: the codes of the items not answered.
    :ivar reason: why: the threshold's source, each item's contribution in its inputs.
    """

    instrument: str
    date: dt.date
    total: int
    band: str | None
    outcome: ScoreOutcome | None
    reason: Reason
    missing: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Problem:
    """
    A problem found when validating a project, with its JSON path and rule.

    :ivar path: JSON path of the problem in the case, e.g. $.project.signatures.
    :ivar reason: the rule broken and what to do.
    :ivar decided_by: the plugin that answered.
    """

    path: str
    reason: Reason
    decided_by: DecidedBy | None = None


@attrs.frozen(kw_only=True)
class ConfigLayer:
    """
    One configuration file in the inheritance chain, with its digest and where it came from.

    :ivar territory: the territory of the layer.
    :ivar file: the configuration file, relative to its folder's parent (``prato/territory.yaml``).
    :ivar sha256: SHA-256 of its bytes.
    :ivar plugin: the distribution that provided the layer's folder (``inclusione-prato``;
        ``inclusione_core`` for ``italia``), or None when it was read from a configuration folder.
    :ivar version: that distribution's version, or None.
    :ivar folder: the configuration folder it was read from (``--config-dir``,
        ``INCLUSIONE_CONFIG_DIR``), or None when a plugin provided it.
    :ivar valid_from: the first day the layer's rules are in force (its header), or None.
    :ivar valid_to: the last day, or None.
    :ivar in_force: in a result, whether the layer's period contains the as-of date (None:
        the layer declares no period).
    """

    territory: str
    file: str
    sha256: str
    plugin: str | None = None
    version: str | None = None
    folder: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    in_force: bool | None = None


@attrs.frozen(kw_only=True)
class Provenance:
    """
    What produced a result, so it can be reproduced and audited years later.

    :ivar as_of: the date whose rules were applied.
    :ivar territory: the territory whose rules were applied.
    :ivar core_version: the version of inclusione_core.
    :ivar config_digest: SHA-256 of the effective, merged configuration (canonical JSON).
    :ivar layers: every configuration file of the chain.
    :ivar plugins: the plugins that gave an answer (in a view: those whose answers are shown).
    """

    as_of: dt.date
    territory: str
    core_version: str
    config_digest: str
    layers: tuple[ConfigLayer, ...]
    plugins: tuple[DecidedBy, ...]


@attrs.frozen(kw_only=True)
class Result:
    """
    The explained result of the pipeline for one case on one date.

    :ivar case_id: the case identifier.
    :ivar territory: the territory whose rules applied.
    :ivar as_of: the date whose rules applied.
    :ivar profile: occupability, complexity, activability, pathway and flags, with reasons.
    :ivar routing: where the case goes.
    :ivar equipe: the equipe, its members and the reason for each.
    :ivar interventions: the recommended interventions, prerequisites first.
    :ivar not_proposed: interventions that would suit the case but are not proposed again,
        being done or under way by the as-of date, each with why.
    :ivar deadlines: the deadlines and the next progress review.
    :ivar measures: each measure in force on the date, and whether it applies.
    :ivar project_problems: the problems of the personalised project.
    :ivar provenance: what produced the result.
    :ivar network: the ambito territoriale of the case's municipality and its competent
        services, where the territory configures a network and the case gives a
        municipality code; null otherwise.
    :ivar scores: the scored instruments of the assessment (the latest record of each by the
        as-of date), with total, band and why.
    :ivar placements: the open positions of the territory's enterprises that fit the
        members the assessment names ready for a work path, best first for each member
        (inclusive enterprises first, then by fit); empty when the territory configures no
        enterprises.
    """

    case_id: str
    territory: str
    as_of: dt.date
    profile: ProfileDecision
    routing: Routing
    equipe: Equipe
    interventions: tuple[Recommendation, ...]
    deadlines: tuple[Deadline, ...]
    measures: tuple[Eligibility, ...]
    project_problems: tuple[Problem, ...]
    provenance: Provenance
    not_proposed: tuple[Recommendation, ...] = ()
    network: NetworkAssignment | None = None
    scores: tuple[Score, ...] = ()
    placements: tuple[Placement, ...] = ()
