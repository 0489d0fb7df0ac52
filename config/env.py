"""Reading the environment, with a record of every variable the settings read.

The record (``READ``) lets a test hold ``docker-compose.yml`` to the settings: a service may set
only variables that appear here, and must set every one marked required for services mode.
"""
import os

import environ

_env = environ.Env()

# name -> True when services mode cannot run without it
READ: dict[str, bool] = {}


def _note(name, required):
    READ[name] = READ.get(name, False) or required


def get(name, default=None, *, cast=str, required=False):
    """Return the variable ``name`` cast to ``cast``, or ``default`` when it is unset or empty."""
    _note(name, required)
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    if cast is bool:
        return _env.bool(name)
    if cast is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return cast(raw)


def db(name, default):
    _note(name, True)
    if os.environ.get(name):
        return _env.db_url(name)
    return environ.Env.db_url_config(default)
