"""Analysis on top of simulate and check: which levers bind a target (:mod:`.explain`), the LMDI
decomposition of emissions (:mod:`.decomposition`), lever adjustments (:mod:`.adjust`) and the
smallest changes that meet targets (:mod:`.what_it_takes`)."""
