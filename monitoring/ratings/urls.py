from django.urls import path

from monitoring.ratings import views

urlpatterns = [
    path("ratings/", views.ratings_staff, name="ratings-staff"),
    path("ratings/<id:rating_id>/answer/", views.rating_answer_page, name="rating-answer"),
    path("ratings/mine/", views.ratings_mine, name="ratings-mine"),
    path("ratings/mine/<id:service_id>/rate/", views.rating_give_page, name="rating-give"),
]
