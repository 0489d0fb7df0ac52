"""Path converters. ``id``: a row's id, at most 2**53 - 1, the largest integer every JSON reader
keeps exact (and the audit chain's limit, ``monitoring.chain``); far below PostgreSQL's bigint. A
larger number matches no URL, so it is answered 404 like any id that names nothing, instead of
failing in the database or in the record of a refusal. Registered by ``config.urls`` before the
apps' URLs are read."""

ID_MAX = 2**53 - 1


class IdConverter:
    regex = "[0-9]{1,16}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)
