# OPW customisations.
