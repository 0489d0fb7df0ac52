"""The bidding app's models, for Django's app registry: each part keeps its own in its package
(``bidding.sealed``, ``bidding.evaluation``, ``bidding.sales``), and code imports them from there."""
from bidding.evaluation import models as evaluation  # noqa: F401
from bidding.sales import models as sales  # noqa: F401
from bidding.sealed import models as sealed  # noqa: F401
