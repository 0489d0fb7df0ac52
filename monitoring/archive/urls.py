from django.urls import path

from monitoring.archive import views

urlpatterns = [
    path("archive/", views.archive_register, name="archive-register"),
    path("archive/<id:archive_id>/download/", views.archive_download, name="archive-download"),
]
