"""Demo ratings: once the demo's histories are played, the services sweep reads them, and two of the
bidders of the lot opened three days ago rate its opening, one very satisfied, one dissatisfied with
a comment that waits for the centre's answer (for demo_staff to answer on /ratings/). demo_bidder's
own rating of it is left to the newcomer (/ratings/mine/). Through the services only, like real
data; registered with bidding's demo as a step after loading (``bidding.demo.demo_after_load``)."""
from bidding.demo import EVALUATED
from monitoring.ratings.models import Level, Rating, Service
from monitoring.ratings.services import rating_give, services_sweep
from trading.models import User

RATINGS = [("demo_bidder_2", Level.VERY_SATISFIED, "开标准时，解密顺利，开标记录当场公布。"),
           ("demo_bidder_4", Level.DISSATISFIED, "开标直播画面多次卡顿，未能完整观看唱标过程。")]


def demo_ratings_give() -> None:
    services_sweep()
    for username, level, comment in RATINGS:
        user = User.objects.get(username=username)
        service = Service.objects.filter(kind=Service.Kind.OPENING, lot__project__code=EVALUATED,
                                         organisation_id=user.organisation_id).first()
        if service is not None and not Rating.objects.filter(service=service).exists():
            rating_give(service_id=service.pk, user=user, level=level, comment=comment)
