from django.urls import path

from monitoring.ratings import apis

urlpatterns = [
    path("ratings/", apis.RatingListApi.as_view(), name="api-ratings"),
    path("ratings/<id:rating_id>/answer/", apis.RatingAnswerApi.as_view(), name="api-rating-answer"),
    path("ratings/services/mine/", apis.OwnServiceListApi.as_view(), name="api-ratings-mine"),
    path("ratings/services/<id:service_id>/rate/", apis.RateApi.as_view(), name="api-rating-give"),
]
