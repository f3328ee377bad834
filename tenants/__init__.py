"""The tenant tree (province > city > district > township), organs, and tenant scoping."""
