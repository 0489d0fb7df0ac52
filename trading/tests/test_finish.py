"""What people noticed first (issue 19, §5): a lot's name printed once, one date format in Beijing
time, forms laid out for the procedure chosen with errors beside their field, and legal citations
in Chinese as 第…条."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from trading.citations import legal_citation
from trading.forms_lots import ProjectCreateForm
from trading.models import Lot, Procedure, Project
from trading.numerals import article_number
from trading.services.lots import lot_create, project_create
from trading.tests.builders import tenderee_make


def _lot(project_title: str, lot_title: str) -> Lot:
    return Lot(project=Project(title=project_title), title=lot_title)


@pytest.mark.parametrize(("project", "lot", "shown"), [
    ("市民中心二期土建工程", "市民中心二期土建工程", "市民中心二期土建工程"),
    ("市民中心二期", "市民中心二期土建工程", "市民中心二期土建工程"),
    ("市民中心二期土建工程", "土建工程", "市民中心二期土建工程"),
    ("市民中心二期", "第一标段", "市民中心二期 — 第一标段"),
    ("市民中心二期 ", " 第一标段", "市民中心二期 — 第一标段"),
])
def test_a_lot_is_named_once(project, lot, shown):
    assert _lot(project, lot).display_title == shown


@pytest.mark.django_db
def test_the_staff_lot_page_names_a_single_lot_project_once(client, staff, make_lot):
    lot = make_lot()
    Project.objects.filter(pk=lot.project_id).update(title="市民中心二期土建工程")
    Lot.objects.filter(pk=lot.pk).update(title="市民中心二期土建工程")
    client.force_login(staff)
    page = client.get(reverse("staff-lot", args=[lot.pk])).content.decode()
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert heading == "市民中心二期土建工程"


@pytest.mark.django_db
def test_the_schedule_shows_beijing_time_in_one_format_in_both_languages(client, make_lot):
    from trading.services.lots import lot_publish, lot_submit

    deadline = datetime(2031, 3, 3, 1, 30, 15, 123456, tzinfo=UTC)  # 09:30 in Beijing
    lot = make_lot(documents_until=deadline, bid_deadline=deadline, deposit=Decimal("10000.00"))
    lot_submit(lot_id=lot.pk, actor="system:test")
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="system:test")
    for language in ("zh-hans", "en"):
        page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "2031-03-03 09:30" in page, language
        assert "123456" not in page and "01:30" not in page
    with translation.override("en"):
        assert "CNY 1,000,000.00" in client.get(reverse("lot-detail", args=[lot.pk]),
                                                HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize("typed", ["2031-03-03 09:30", "2031/03/03 09:30", "2031年3月3日 09:30",
                                   "2031年03月03日 09时30分", "2031-03-03T09:30"])
def test_dates_are_taken_as_people_in_china_type_them(typed):
    from django import forms

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert forms.DateTimeField().clean(typed) == datetime(2031, 3, 3, 1, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_the_new_project_form_asks_each_procedure_kind_its_own_dates(client, staff):
    tenderee = tenderee_make("市城建投资有限公司")
    listing = Procedure.objects.filter(kind=Procedure.Kind.LISTING).select_related("market").first()
    client.force_login(staff)
    page = client.get(reverse("staff-project-create")).content.decode()
    assert 'data-testid="dates-tender"' in page and 'data-testid="dates-listing"' in page
    assert f'value="{listing.pk}" data-kind="listing"' in page
    assert 'id="id_bid_deadline"' in page and 'id="id_listing_end"' in page

    # A listing with a tender date left filled in: the lot has the listing's dates only.
    response = client.post(reverse("staff-project-create"), {
        "code": "TD-FORM-1", "title": "某地块国有建设用地使用权", "procedure": listing.pk, "tenderee": tenderee.pk,
        "lot_title": "某地块", "estimate": "1000000.00", "deposit": "200000.00",
        "bid_deadline": "2031-03-01T09:30", "listing_start": "2031-03-10T09:00", "listing_end": "2031-03-25T15:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    lot = Lot.objects.get(project__code="TD-FORM-1")
    assert lot.bid_deadline is None and lot.listing_end == datetime(2031, 3, 25, 7, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_field_error_is_next_to_its_field_and_tied_to_it(client, staff):
    client.force_login(staff)
    page = client.post(reverse("staff-project-create"), {"code": "", "title": "x", "estimate": "abc"}).content.decode()
    # The estimate's block holds its label, its input pointing at its error, and the error itself.
    block = page.split('<label for="id_estimate">')[1].split("</div>")[0]
    assert 'aria-describedby="id_estimate_error"' in block and 'id="id_estimate_error"' in block
    assert 'aria-invalid="true"' in block
    assert '<div class="field invalid"><label for="id_estimate">' in page.replace("\n", "")


def test_the_edit_form_of_a_lot_asks_only_its_kind_of_dates():
    from trading.forms_lots import AmendForm, LotFieldsForm

    tender = LotFieldsForm(kind=Procedure.Kind.TENDER)
    assert "bid_deadline" in tender.fields and "listing_end" not in tender.fields
    assert [section["kind"] for section in tender.sections()] == ["", Procedure.Kind.TENDER]
    assert "listing_start" in ProjectCreateForm().fields and "documents_until" in ProjectCreateForm().fields
    assert "bid_deadline" not in AmendForm(kind=Procedure.Kind.LISTING).fields
    assert "bid_deadline" in AmendForm(kind=Procedure.Kind.TENDER).fields


@pytest.mark.parametrize(("number", "words"), [
    (1, "一"), (10, "十"), (16, "十六"), (20, "二十"), (26, "二十六"), (55, "五十五"), (100, "一百"),
    (101, "一百零一"), (110, "一百一十"), (203, "二百零三"), (1010, "一千零一十"),
])
def test_article_numbers_in_lowercase_numerals(number, words):
    assert article_number(number) == words


def test_legal_citations_read_as_chinese_law_in_chinese_and_stay_as_they_are_in_english():
    source = "招标投标法 Art 24; 政府采购法 Art 35"
    with translation.override("zh-hans"):
        assert legal_citation(source) == "《招标投标法》第二十四条；《政府采购法》第三十五条"
        assert legal_citation("国资委 财政部令第32号 Art 13") == "国资委 财政部令第32号第十三条"
        assert legal_citation("platform rule") == "platform rule"
    with translation.override("en"):
        assert legal_citation(source) == source


@pytest.mark.django_db
def test_the_rules_page_cites_the_law_as_chinese_text_does(client):
    page = client.get(reverse("rules"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "《招标投标法实施条例》第二十六条" in page and " Art " not in page


@pytest.mark.django_db
def test_a_deposit_above_the_cap_is_refused_with_the_law_and_the_amounts_in_words(db):
    from trading.errors import TradingError

    procedure = Procedure.objects.select_related("market").get(code="open_tender", market="construction")
    project = project_create(code="CAP-1", title="某工程", market=procedure.market, procedure=procedure,
                             tenderee=tenderee_make("市城建投资有限公司"), actor="system:test")
    with translation.override("zh-hans"), pytest.raises(TradingError) as refused:
        lot_create(project=project, title="某工程", estimate=Decimal("1000000"), deposit=Decimal("50000"),
                   actor="system:test")
    assert "20,000.00 元" in str(refused.value.message) and "第二十六条" in str(refused.value.message)


@pytest.mark.django_db
def test_the_admin_names_reference_data_columns_and_fields_in_the_readers_language(client):
    from trading.admin import CODE_AND_NAMES
    from trading.models import User

    root = User.objects.create_superuser("root", password="correct-horse-battery-9")
    client.force_login(root)
    listed = client.get("/admin/trading/market/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    changed = client.get("/admin/trading/market/land/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        label = str(CODE_AND_NAMES["name_zh"])
    assert label in listed and label in changed
    assert "name zh" not in listed.lower() and "name zh" not in changed.lower()
    for page in ("/admin/trading/procedure/", "/admin/trading/centrenotice/", "/admin/bidding/specialty/",
                 "/admin/bidding/expert/", "/admin/monitoring/auditentry/"):
        assert client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200, page
