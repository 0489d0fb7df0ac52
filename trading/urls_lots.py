from django.urls import path

from trading import views_lots as views

urlpatterns = [
    path("announcements/", views.announcement_list, name="announcement-list"),
    path("lots/", views.lot_list, name="lot-list"),
    path("lots/<id:lot_id>/", views.lot_detail, name="lot-detail"),
    path("staff/lots/", views.staff_lot_list, name="staff-lot-list"),
    path("staff/projects/new/", views.staff_project_create, name="staff-project-create"),
    path("staff/lots/<id:lot_id>/", views.staff_lot, name="staff-lot"),
    path("staff/lots/<id:lot_id>/retender/", views.staff_lot_retender, name="staff-lot-retender"),
    path("staff/lots/<id:lot_id>/<slug:action>/", views.staff_lot_action, name="staff-lot-action"),
]
