"""The demo data's supervision, and the read-only admin."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from supervisors.demo import LOTS, NOTE, SUPERVISOR, demo_supervision_load
from supervisors.models import Assignment
from supervisors.selectors import assignments_for_supervisor, note_get
from supervisors.services import assignment_create
from trading.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_supervisor_watches_demo_lots_and_loading_twice_changes_nothing():
    call_command("load_demo", stdout=StringIO())
    demo_supervision_load()
    demo_supervision_load()

    supervisor = User.objects.get(username=SUPERVISOR)
    watched = list(assignments_for_supervisor(user=supervisor))
    assert sorted(a.lot.project.code for a in watched) == sorted(LOTS)
    assert Assignment.objects.count() == len(LOTS)
    noted = next(a.lot for a in watched if a.lot.project.code == LOTS[-1])
    assert note_get(lot_id=noted.pk, user_id=supervisor.pk).text == NOTE


def test_the_admin_lists_assignments_and_notes_but_edits_nothing(admin_client, lot, supervisor):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    for model in ("assignment", "observationnote"):
        assert admin_client.get(reverse(f"admin:supervisors_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:supervisors_{model}_add")).status_code == 403
    change = admin_client.post(reverse("admin:supervisors_assignment_change", args=[assignment.pk]),
                               {"assigned_by": "forged"})
    assert change.status_code in (302, 403)
    assert Assignment.objects.get().assigned_by == "user:1"
