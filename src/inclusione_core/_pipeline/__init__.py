"""
The pipeline's stages, in the order the engine runs them (:meth:`Engine.assess`).

Each module is the core's default for one hook (``trylast``), driven by the territory's
configuration; a territory plugin answers first for its own territories:

1. :mod:`.stage1_profile` -- assess: occupability, complexity, activability, flags, pathway
   (``inclusione_assess_profile``);
2. :mod:`.stage2_routing` -- route: admit or refuse the access, then the first matching
   routing rule (``inclusione_route``);
   then :mod:`.coordination` -- complementarity: a routing turned into coordination where
   a member is already on an overlapping programme (``inclusione_coordinate``);
3. :mod:`.stage3_equipe` -- compose the equipe: format, members and why each is there
   (``inclusione_compose_equipe``);
4. :mod:`.stage4_interventions` -- recommend interventions, prerequisites first
   (``inclusione_recommend_interventions``);
5. :mod:`.stage5_project` -- plan: check the personalised project (``inclusione_validate_project``);
6. :mod:`.stage6_deadlines` -- monitor: deadlines and reviews (``inclusione_compute_deadlines``);
7. :mod:`.stage7_measures` -- the dated measures in force and their requirements
   (``inclusione_check_eligibility``).
"""

STAGES = (
    "inclusione_core._pipeline.stage1_profile",
    "inclusione_core._pipeline.stage2_routing",
    "inclusione_core._pipeline.coordination",
    "inclusione_core._pipeline.stage3_equipe",
    "inclusione_core._pipeline.stage4_interventions",
    "inclusione_core._pipeline.stage5_project",
    "inclusione_core._pipeline.stage6_deadlines",
    "inclusione_core._pipeline.stage7_measures",
)
"""The stage modules, in pipeline order: the core's default plugins."""
