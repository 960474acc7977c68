"""The declarative tables, read once: levers (``data/levers.csv``), trajectory variables
(``data/variables.csv``) and the tracked indicators of the catalogue."""
