"""Writes of a supervisor's rights in a session (``rights``), their observation reports
(``reports``) and officials at major sessions (``officials``)."""
from supervisors.sessions.services.officials import official_check_in, opening_official_guard
from supervisors.sessions.services.reports import observation_report_submit
from supervisors.sessions.services.rights import (liaison_question_answer, liaison_question_ask,
                                                  session_objection_record, stop_request_answer, stop_request_raise)

__all__ = ["liaison_question_answer", "liaison_question_ask", "observation_report_submit", "official_check_in",
           "opening_official_guard", "session_objection_record", "stop_request_answer", "stop_request_raise"]
