"""Reading one setting from the environment: whole numbers, numbers and yes/no, and the error that stops start-up."""
from __future__ import annotations


class ConfigError(SystemExit):
    """Stop the process with one clear line saying what to set."""

    def __init__(self, message: str):
        super().__init__(f"hti-comms: configuration error: {message}")
        self.message = message


def env_bool(value: str | bool | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def env_float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
