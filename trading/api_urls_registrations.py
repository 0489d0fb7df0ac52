from django.urls import path

from trading import apis_registrations as apis

urlpatterns = [
    path("lots/<int:lot_id>/registration/", apis.LotRegistrationApi.as_view(), name="api-lot-registration"),
    path("lots/<int:lot_id>/registration/withdraw/", apis.LotRegistrationWithdrawApi.as_view(),
         name="api-lot-registration-withdraw"),
    path("registrations/<int:registration_id>/decision/", apis.RegistrationDecisionApi.as_view(),
         name="api-registration-decision"),
    path("registrations/<int:registration_id>/deposit/", apis.RegistrationDepositApi.as_view(),
         name="api-registration-deposit"),
    path("deposits/refunds/", apis.RefundListApi.as_view(), name="api-refunds"),
    path("deposits/<int:deposit_id>/refunded/", apis.DepositRefundedApi.as_view(), name="api-deposit-refunded"),
    path("bank/deposits/", apis.BankDepositApi.as_view(), name="api-bank-deposits"),
]
