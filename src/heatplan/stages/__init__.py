"""The stages of a heat plan: pure functions over an in-memory :class:`heatplan.plan.Plan`.

Every stage module has ``run(plan, ...) -> (plan, result)``: it takes a plan, returns a new
plan with the frames it made and a typed summary, and opens no store and no file. ``NEEDS``
names the frames it reads. In the order of the WPG:

- :mod:`~heatplan.stages.inventory` — Bestandsanalyse (§ 15): demand, carriers, aggregates;
- :mod:`~heatplan.stages.potentials` — Potenzialanalyse (§ 16);
- :mod:`~heatplan.stages.areas` — supply areas with the Eignungsprüfung (§ 14);
- :mod:`~heatplan.stages.classify` — area types and likelihoods (§ 18, § 19);
- :mod:`~heatplan.stages.scenario` — target scenario and Anlage-2 indicators (§ 17);
- :mod:`~heatplan.stages.network` — a heat network for one selection (a project study).
"""
