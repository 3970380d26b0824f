import datetime as dt

from inclusione_core import Engine

engine = Engine()  # core defaults + installed territory plugins; configurations compiled once
case = engine.load_case({  # the case exchange format (case.schema.json); errors listed by path
    "id": "caso-1", "territory": "italia", "opened_on": "2025-01-13",
    "household": {"id": "nucleo-1", "members": [{"id": "m1", "birth_date": "1981-04-02"}]},
    "access": {"date": "2025-01-13", "point": "ssp"},
    "assessment": {"date": "2025-01-20", "needs": [{"code": "lavoro"}, {"code": "dipendenze"}],
                   "levels": [{"dimension": "lavoro", "level": 3},
                              {"dimension": "funzionamenti", "level": 2}]},
})
result = engine.assess(case, as_of=dt.date(2025, 2, 1))  # the rules in force on that date

print("percorso:", result.profile.profile.pathway)
routing = result.routing
print("instradamento:", routing.outcome, routing.service, routing.channel)
print("  perché:", routing.reasons[0].message_it, "|", routing.reasons[0].source)
print("equipe:", result.equipe.format)
for member in result.equipe.members:
    why = member.reason
    print(f"  {member.role} ({member.service}): {why.message_it} [{why.source}]")
prov = result.provenance  # what produced the result, so it can be reproduced years later
print("provenienza:", prov.as_of, prov.config_digest[:12])
for plugin in prov.plugins:
    print(f"  {plugin.plugin} {plugin.version}")
