"""Inputs: the one value parser (:mod:`.values`), lever batches (:mod:`.levers`), scenario files
(:mod:`.scenario`), distributions and samples (:mod:`.sampling`) and the one coercion of what a
user passes (:mod:`.coerce`)."""
