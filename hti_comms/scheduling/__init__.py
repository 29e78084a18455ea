"""The one scheduler process and the registry of sweeps it runs."""
