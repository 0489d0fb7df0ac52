from django.urls import path

from trading import views_registrations as views

urlpatterns = [
    path("lots/<id:lot_id>/registration/", views.registration_page, name="registration-lot"),
    path("lots/<id:lot_id>/registration/register/", views.registration_register, name="registration-register"),
    path("lots/<id:lot_id>/registration/withdraw/", views.registration_withdraw_view, name="registration-withdraw"),
    path("staff/registrations/", views.staff_registrations, name="registration-staff"),
    path("staff/registrations/<id:registration_id>/decide/", views.staff_registration_decide,
         name="registration-decide"),
    path("staff/registrations/<id:registration_id>/deposit/", views.staff_deposit_confirm,
         name="registration-deposit"),
    path("staff/refunds/", views.staff_refunds, name="registration-refunds"),
    path("staff/refunds/<id:deposit_id>/refunded/", views.staff_refund_mark, name="registration-refunded"),
]
