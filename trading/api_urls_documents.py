from django.urls import path

from trading import apis_documents as apis

urlpatterns = [
    path("lots/<id:lot_id>/documents/", apis.DocumentListApi.as_view(), name="api-lot-documents"),
    path("documents/<id:document_id>/link/", apis.DocumentLinkApi.as_view(), name="api-document-link"),
    path("lots/<id:lot_id>/enquiries/", apis.EnquiryListApi.as_view(), name="api-lot-enquiries"),
    path("lots/<id:lot_id>/enquiries/pending/", apis.EnquiryPendingApi.as_view(), name="api-lot-enquiries-pending"),
    path("enquiries/<id:enquiry_id>/answer/", apis.EnquiryAnswerApi.as_view(), name="api-enquiry-answer"),
]
