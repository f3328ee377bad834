"""The unified indicator dictionary (统一指标): shared by every tenant, versioned."""
