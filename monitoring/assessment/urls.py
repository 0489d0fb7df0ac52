from django.urls import path

from monitoring.assessment import views

urlpatterns = [
    path("assessment/", views.manage_page, name="assessment-manage"),
    path("assessment/weights/", views.weights_save, name="assessment-weights"),
    path("assessment/open/", views.open_save, name="assessment-open"),
    path("assessment/mine/", views.mine_page, name="assessment-mine"),
    path("assessment/<id:assessment_id>/", views.detail_page, name="assessment-detail"),
    path("assessment/<id:assessment_id>/score/", views.score_save, name="assessment-score"),
    path("assessment/<id:assessment_id>/finalise/", views.finalise, name="assessment-finalise"),
]
