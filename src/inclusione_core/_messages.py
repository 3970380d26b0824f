"""
Texts for the codes the outputs show (grades, statuses, purposes, legal bases...).

The texts themselves are in the catalogues (:mod:`.i18n`): these tables only map a code to
its English msgid, marked with :func:`~.i18n.N_` for extraction. Codes are shown next to
their labels, so an operator and an integrator read the same thing.
"""

from __future__ import annotations

from .i18n import N_, Message, translate

__all__ = ["code_message", "code_text", "has_code_text"]

_CODES: dict[str, dict[str, str]] = {
    "grade": {"bassa": N_("low"), "media": N_("medium"), "alta": N_("high")},
    "act": {"attivabile": N_("activable"), "parzialmente_attivabile": N_("partly activable"),
            "non_attivabile": N_("not activable")},
    "status": {"upcoming": N_("upcoming"), "due": N_("due"), "overdue": N_("overdue"), "met": N_("met"),
               "met_late": N_("met late")},
    "kind": {"default": N_("default setting, can be changed"), "norma": N_("act"), "delibera": N_("resolution"),
             "linee_guida": N_("guidelines, not binding"), "protocollo": N_("protocol, not binding"),
             "articolo_descrittivo": N_("article describing a practice, not binding"),
             "articolo_descrittivo.atti": N_("article describing acts, not binding")},
    "month": {"1": N_("January"), "2": N_("February"), "3": N_("March"), "4": N_("April"), "5": N_("May"),
              "6": N_("June"), "7": N_("July"), "8": N_("August"), "9": N_("September"), "10": N_("October"),
              "11": N_("November"), "12": N_("December")},
    "citation": {"note": N_("note"), "reference": N_("reference"), "via": N_("as described in")},
    "purpose": {"assessment": N_("assessment"), "equipe": N_("equipe"), "referral": N_("referral"),
                "monitoring": N_("monitoring"), "statistics": N_("statistics")},
    "basis": {"law": N_("by law"), "consent": N_("with consent")},
    "placement": {"tirocinio": N_("traineeship"), "lavoro": N_("job")},
    # core vocabulary shown to people: pathways the core itself decides (before an assessment,
    # masked), the case's access channels, equipe modes, the household as a party, data categories
    "pathway": {"da_valutare": N_("to be assessed"), "non_comunicato": N_("(not disclosed)")},
    "channel": {"diretto": N_("direct access"), "invio": N_("referral"), "da_definire": N_("to be decided"),
                "non_comunicato": N_("(not disclosed)")},
    "mode": {"in_presenza": N_("in person"), "online": N_("online")},
    "party": {"nucleo": N_("the household")},
    "category": {"identity": N_("identification data"), "contact": N_("contact details and residence"),
                 "household": N_("household composition"), "economic": N_("economic situation and measures"),
                 "work": N_("work"), "education": N_("education and training"), "housing": N_("housing"),
                 "social": N_("social condition and relations"), "process": N_("case management"),
                 "health": N_("health (GDPR art. 9)"), "addiction": N_("addiction (GDPR art. 9)"),
                 "mental_health": N_("mental health (GDPR art. 9)"), "justice": N_("judicial data (GDPR art. 10)"),
                 "records": N_("documents exchanged (may contain special categories)")},
    "input": {"InputError": N_("invalid input"), "InvalidCaseError": N_("invalid case"),
              "ConfigurationError": N_("invalid configuration"), "ScenarioFileError": N_("invalid scenario file")},
}


def code_text(kind: str, code: str, lang: str) -> str:
    """The text of a code of some kind (``grade``, ``status``...) in ``lang``; the code itself when unknown."""
    msgid = _CODES[kind].get(code)
    return code if msgid is None else translate(msgid, lang)


def has_code_text(kind: str, code: str) -> bool:
    """Whether a code of some kind has a text."""
    return code in _CODES[kind]


def code_message(kind: str, code: str) -> Message | str:
    """The text of a code as a :class:`Message` (rendered in the output's language), the code itself when unknown."""
    msgid = _CODES[kind].get(code)
    return code if msgid is None else Message(msgid)
