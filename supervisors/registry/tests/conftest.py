"""The registry's tests build supervisors through the real services: ``recommend`` enters a unit's
recommendation with a new account, ``appointed`` takes a person through vetting, appointment and the
pledge."""
import io

import pytest

from supervisors.registry.models import Supervisor
from supervisors.registry.services import lifecycle
from supervisors.registry.services.documents import Upload
from trading import clock
from trading.validators import resident_id_check_character, uscc_check_character
from trading.workdays import local_day

PDF = b"%PDF-1.4\n% a scanned document\n" + bytes(range(256)) * 8
UNIT_USCC = "51330100MJ0000001"
UNIT_USCC += uscc_check_character(UNIT_USCC)
PASSWORD = "west-lake-supervisor-2026"


def pdf(data: bytes = PDF) -> Upload:
    return Upload(stream=io.BytesIO(data), name="document.pdf", length=len(data))


def resident_id(serial: int) -> str:
    """A valid resident ID number (GB 11643-1999), different for each ``serial`` below 1000."""
    body = f"3301061980{serial % 12 + 1:02d}{serial % 28 + 1:02d}{serial:03d}"
    return body + resident_id_check_character(body)


@pytest.fixture
def recommend(staff):
    """``recommend(username, employer_id=None, markets=())``: staff enter a unit's recommendation of a
    new person, whose account is created on the way."""
    serials = iter(range(100, 1000))

    def make(username, *, employer_id=None, markets=()):
        account = lifecycle.NewAccount(username=username, display_name=f"监督员{username}",
                                       resident_id=resident_id(next(serials)), password=PASSWORD)
        return lifecycle.supervisor_recommend(by=staff, unit_name="市政协社会监督联络站", unit_uscc=UNIT_USCC,
                                              letter=pdf(), account=account, employer_id=employer_id,
                                              market_codes=markets)

    return make


@pytest.fixture
def appointed(staff, recommend):
    """``appointed(username, ...)``: recommended, vetted, appointed and pledged, certificate issued."""
    def make(username, **options):
        supervisor = recommend(username, **options)
        lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff, notes="无利害关系")
        lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(),
                                     agreement_signed_on=local_day(clock.now()))
        lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=supervisor.user)
        return Supervisor.objects.select_related("user").get(pk=supervisor.pk)

    return make
