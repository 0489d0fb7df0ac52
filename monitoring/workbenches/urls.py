from django.urls import path

from monitoring.workbenches import views

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/bidder/", views.bidder, name="workbench-bidder"),
    path("workbench/staff/", views.staff, name="workbench-staff"),
    path("workbench/expert/", views.expert, name="workbench-expert"),
    path("workbench/custodian/", views.custodian, name="workbench-custodian"),
    path("workbench/regulator/", views.regulator, name="workbench-regulator"),
]
