from django.urls import path

from trading import apis_registrations as apis

urlpatterns = [
    path("lots/<id:lot_id>/registration/", apis.LotRegistrationApi.as_view(), name="api-lot-registration"),
    path("lots/<id:lot_id>/registration/withdraw/", apis.LotRegistrationWithdrawApi.as_view(),
         name="api-lot-registration-withdraw"),
    path("registrations/<id:registration_id>/decision/", apis.RegistrationDecisionApi.as_view(),
         name="api-registration-decision"),
    path("registrations/<id:registration_id>/deposit/", apis.RegistrationDepositApi.as_view(),
         name="api-registration-deposit"),
    path("deposits/refunds/", apis.RefundListApi.as_view(), name="api-refunds"),
    path("deposits/<id:deposit_id>/refunded/", apis.DepositRefundedApi.as_view(), name="api-deposit-refunded"),
    path("bank/deposits/", apis.BankDepositApi.as_view(), name="api-bank-deposits"),
]
