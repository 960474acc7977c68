"""Inputs: the one value parser (:mod:`.values`), lever batches (:mod:`.levers`), scenarios
(:mod:`.scenario`: the :class:`~carbonsim.inputs.scenario.Scenario` and
:func:`~carbonsim.inputs.scenario.load_scenario`; :mod:`.scenario_levers`: validation and merging
of its lever values; :mod:`.scenario_files`: the TOML files, ``extends`` and bundled scenarios;
:mod:`.scenario_toml`: writing one back), distributions and samples (:mod:`.sampling`) and the one
coercion of what a user passes (:mod:`.coerce`)."""
