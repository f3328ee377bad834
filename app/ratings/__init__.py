"""Three-colour ratings (三色预警): the rules, the set-wise engine, the lab sheet."""
