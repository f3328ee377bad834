"""Demo federation: the tenant tree and deterministic indicator values."""
