"""What the platform's processes check before they start: a server (runplatform) and Celery's worker
and beat in services mode refuse to run without the secrets its environment must set, which the
settings list in ``PLATFORM_SECRETS_MISSING`` (the embedded mode makes its own)."""
from django.conf import settings


def secrets_problem() -> str:
    """Why this process may not start, naming each secret not set; "" when nothing is missing."""
    missing = settings.PLATFORM_SECRETS_MISSING
    if not missing:
        return ""
    return (f"Services mode (DATABASE_URL or REDIS_URL is set) needs {' and '.join(missing)} in the environment: it "
            f"makes up no secret. Set {'them' if len(missing) > 1 else 'it'}, or unset DATABASE_URL and REDIS_URL "
            f"for the embedded mode, which makes its own.")
