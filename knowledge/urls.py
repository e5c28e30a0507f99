from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("documents/<uuid:pk>/", views.document_detail, name="document_detail"),
    path("documents/<uuid:pk>/delete/", views.delete_document, name="delete_document"),
    path("versions/<uuid:pk>/status/", views.version_status, name="version_status"),
    path("versions/<uuid:pk>/clear/", views.clear_findings, name="clear_findings"),
    path("passages/<int:pk>/", views.passage, name="passage"),
]
