"""The ratings' pages and API: a party's services with the rate form and the centre's answer, in
Chinese and English; the centre's list, bad ones awaiting an answer first, with the answer form;
who may see and do what; the list endpoints' query counts."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.ratings.models import Level, Rating
from monitoring.ratings.services import rating_answer, rating_give
from monitoring.ratings.tests.conftest import at

pytestmark = pytest.mark.django_db
COMPLAINT = "答复未说明技术参数的具体要求。"
ANSWER = "已重新说明并发布澄清公告，感谢监督。"
MINE, STAFF = "/ratings/mine/", "/ratings/"
# A list endpoint costs the same queries however many rows it returns.
QUERIES_MINE, QUERIES_STAFF = 6, 7


def api_as(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_the_bidder_rates_on_the_page_and_reads_the_centres_answer_in_both_languages(answered, client, bidder_a,
                                                                                      staff):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
    client.force_login(bidder_a)
    with at(2026, 11, 3, 9, 0):
        page = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "My services and ratings" in page and "Answer to a question" in page
        assert f'action="{reverse("rating-give", args=[service.pk])}"' in page
        assert "You may rate this service until 2026-11-09." in page

        refused = client.post(reverse("rating-give", args=[service.pk]), {"level": "2", "comment": ""},
                              HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 400 and "needs a comment" in refused.content.decode()
        assert not Rating.objects.exists()
        response = client.post(reverse("rating-give", args=[service.pk]), {"level": "2", "comment": COMPLAINT})
        assert response.status_code == 302 and response.url == f"/ratings/mine/#service-{service.pk}"
        assert client.post(reverse("rating-give", args=[service.pk]), {"level": "5"}).status_code == 409

        zh = client.get(MINE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "我的服务与评价" in zh and "答疑" in zh and "不满意" in zh and COMPLAINT in zh
        assert "尚未答复，答复期限至2026-11-24。" in zh and 'data-testid="rate-form"' not in zh

    rating = Rating.objects.get()
    with at(2026, 11, 4, 9, 0):
        rating_answer(rating_id=rating.pk, user=staff, answer=ANSWER)
        zh = client.get(MINE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        en = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "交易中心的答复" in zh and ANSWER in zh
    assert "The centre's answer" in en and ANSWER in en and "Dissatisfied" in en


def test_a_service_not_rated_in_time_shows_as_counted_satisfied(answered, client, bidder_a):
    with at(2026, 11, 2, 10, 0):
        answered(bidder_a)
    client.force_login(bidder_a)
    with at(2026, 11, 20, 10, 0):
        page = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not rated in time: counted as satisfied." in page and 'data-testid="rate-form"' not in page


def test_staff_see_bad_ratings_awaiting_an_answer_first_and_answer_on_the_page(answered, client, bidder_a, bidder_b,
                                                                              staff, regulator):
    with at(2026, 11, 2, 10, 0):
        good, answered_bad, bad = answered(bidder_a, n=3)
        (other,) = answered(bidder_b)
        rating_give(service_id=good.pk, user=bidder_a, level=Level.VERY_SATISFIED)
        rating_give(service_id=answered_bad.pk, user=bidder_a, level=Level.VERY_DISSATISFIED, comment=COMPLAINT)
    with at(2026, 11, 3, 10, 0):
        rating_answer(rating_id=Rating.objects.get(service=answered_bad).pk, user=staff, answer=ANSWER)
        late = rating_give(service_id=bad.pk, user=bidder_a, level=Level.DISSATISFIED, comment=COMPLAINT)
        soon = rating_give(service_id=other.pk, user=bidder_b, level=Level.VERY_DISSATISFIED, comment=COMPLAINT)
    order = sorted([late, soon], key=lambda rating: -rating.pk)  # the same limit: the newest first

    client.force_login(staff)
    with at(2026, 11, 5, 10, 0):
        page = client.get(STAFF, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = [int(chunk.split('"', 1)[0]) for chunk in page.split('data-rating="')[1:]]
    expected = [*order, Rating.objects.get(service=answered_bad), Rating.objects.get(service=good)]
    assert rows == [rating.pk for rating in expected]
    assert page.count('data-testid="answer-form"') == 3  # every unanswered one, the good one too
    assert "Answer by 2026-11-24." in page and "Satisfaction in 2026 so far" in page

    with at(2026, 11, 5, 10, 0):
        assert client.post(reverse("rating-answer", args=[late.pk]), {"answer": " "}).status_code == 400
        response = client.post(reverse("rating-answer", args=[late.pk]), {"answer": ANSWER})
    assert response.status_code == 302 and response.url == f"/ratings/#rating-{late.pk}"
    late.refresh_from_db()
    assert (late.answer, late.answered_by) == (ANSWER, staff)

    # Regulators read the list; only staff answer.
    client.force_login(regulator)
    page = client.get(STAFF).content.decode()
    assert page.count('data-rating="') == 4 and 'data-testid="answer-form"' not in page
    assert client.post(reverse("rating-answer", args=[soon.pk]), {"answer": ANSWER}).status_code == 403
    zh = client.get(STAFF + "?show=unanswered", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "服务评价" in zh and zh.count('data-rating="') == 1 and "非常不满意" in zh


def test_pages_refuse_those_without_the_role(client, answered, bidder_a, staff, supervisor):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
    assert client.get(MINE).status_code == 302  # to sign in
    assert client.get(STAFF).status_code == 302
    client.force_login(staff)
    assert client.get(MINE).status_code == 403
    assert client.post(reverse("rating-give", args=[service.pk]), {"level": "5"}).status_code == 403
    client.force_login(bidder_a)
    assert client.get(STAFF).status_code == 403
    assert client.post(reverse("rating-answer", args=[1]), {"answer": ANSWER}).status_code == 403
    client.force_login(supervisor)
    assert client.get(MINE).status_code == 403
    assert client.get(STAFF).status_code == 403
    assert not Rating.objects.exists()


def test_the_api_lists_rates_and_answers(answered, bidder_a, bidder_b, staff, regulator):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
    with at(2026, 11, 3, 10, 0):
        mine = api_as(bidder_a).get("/api/v1/ratings/services/mine/")
        assert mine.status_code == 200
        (row,) = mine.json()["results"]
        assert (row["id"], row["kind"], row["may_rate"], row["rating"]) == (service.pk, "enquiry_answer", True, None)
        assert row["rate_until"] == "2026-11-10T00:00:00+08:00"

        url = f"/api/v1/ratings/services/{service.pk}/rate/"
        assert api_as(bidder_b).post(url, {"level": 5}, format="json").json()["code"] == "service_not_found"
        assert api_as(staff).post(url, {"level": 5}, format="json").status_code == 403
        assert api_as(bidder_a).post(url, {"level": 7}, format="json").status_code == 400
        response = api_as(bidder_a).post(url, {"level": 1}, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "comment_required")
        response = api_as(bidder_a).post(url, {"level": 1, "comment": COMPLAINT}, format="json")
        assert response.status_code == 201
        assert (response.json()["may_rate"], response.json()["rating"]["level"]) == (False, 1)
        assert response.json()["rating"]["answer_due_at"] == "2026-11-25T00:00:00+08:00"
        assert api_as(bidder_a).post(url, {"level": 5}, format="json").status_code == 409

        assert api_as(bidder_a).get("/api/v1/ratings/").status_code == 403
        listed = api_as(regulator).get("/api/v1/ratings/?show=unanswered").json()["results"]
        assert [(r["level"], r["bad"], r["overdue"], r["service"]["organisation"]) for r in listed] == [
            (1, True, False, bidder_a.organisation.name)]
        assert listed[0]["service"]["rendered_by_name"] == str(staff)
        assert api_as(staff).get("/api/v1/ratings/?show=nonsense").status_code == 400

        rating_id = listed[0]["id"]
        answer_url = f"/api/v1/ratings/{rating_id}/answer/"
        assert api_as(regulator).post(answer_url, {"answer": ANSWER}, format="json").json()["code"] == "not_staff"
        response = api_as(staff).post(answer_url, {"answer": ANSWER}, format="json")
        assert response.status_code == 200 and response.json()["answer"] == ANSWER
        assert api_as(staff).post(answer_url, {"answer": ANSWER}, format="json").status_code == 409
        assert api_as(bidder_a).get("/api/v1/ratings/services/mine/").json()["results"][0]["rating"]["answer"] \
            == ANSWER
    assert APIClient().get("/api/v1/ratings/services/mine/").status_code in (401, 403)


def test_the_list_endpoints_cost_the_same_queries_for_one_rating_or_many(answered, bidder_a, staff,
                                                                         django_assert_num_queries):
    with at(2026, 11, 2, 10, 0):
        first, *rest = answered(bidder_a, n=4)
        rating_give(service_id=first.pk, user=bidder_a, level=Level.DISSATISFIED, comment=COMPLAINT)
    bidder, centre = api_as(bidder_a), api_as(staff)
    with at(2026, 11, 3, 10, 0):
        bidder.get("/api/v1/ratings/services/mine/"), centre.get("/api/v1/ratings/")  # sessions and caches warm
        with django_assert_num_queries(QUERIES_MINE):
            bidder.get("/api/v1/ratings/services/mine/")
        with django_assert_num_queries(QUERIES_STAFF):
            centre.get("/api/v1/ratings/")
        for service in rest:
            rating_give(service_id=service.pk, user=bidder_a, level=Level.DISSATISFIED, comment=COMPLAINT)
        with django_assert_num_queries(QUERIES_MINE):
            assert len(bidder.get("/api/v1/ratings/services/mine/").json()["results"]) == 4
        with django_assert_num_queries(QUERIES_STAFF):
            assert len(centre.get("/api/v1/ratings/").json()["results"]) == 4

