"""Pages of a lot's documents and enquiries; included at the site root."""
from django.urls import path

from trading import views_documents as views

urlpatterns = [
    path("lots/<id:lot_id>/documents/", views.lot_documents, name="lot-documents"),
    path("lots/<id:lot_id>/documents/<id:document_id>/download/", views.lot_document_download,
         name="lot-document-download"),
    path("lots/<id:lot_id>/enquiries/", views.lot_enquiries, name="lot-enquiries"),
    path("lots/<id:lot_id>/enquiries/<id:enquiry_id>/answer/", views.lot_enquiry_answer, name="lot-enquiry-answer"),
]
