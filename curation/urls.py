from django.urls import path

from . import views

app_name = "curation"
urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation_list"),
    path("conversations/<uuid:pk>/", views.conversation_detail, name="conversation_detail"),
    path("messages/<uuid:pk>/propose/", views.propose, name="propose"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/next/", views.review_next, name="review_next"),
    path("review/undo/", views.undo, name="undo"),
    path("review/<uuid:pk>/", views.review_example, name="review_example"),
    path("review/<uuid:pk>/decide/", views.decide, name="decide"),
    path("review/<uuid:pk>/phi/clear/", views.clear_phi, name="clear_phi"),
    path("review/<uuid:pk>/phi/redact/", views.redact_span, name="redact_span"),
    path("review/<uuid:pk>/checks/", views.add_eval_check, name="add_eval_check"),
    path("review/<uuid:pk>/checks/<uuid:check_pk>/remove/", views.remove_eval_check,
         name="remove_eval_check"),
    path("review/<uuid:pk>/phi/report/", views.report_example_phi, name="report_example_phi"),
    path("messages/<uuid:pk>/report-phi/", views.report_message_phi,
         name="report_message_phi"),
    path("import/", views.import_examples, name="import"),
    path("settings/", views.curation_settings, name="settings"),
    path("training-sets/", views.training_sets, name="training_sets"),
    path("training-sets/<uuid:pk>/", views.training_set_detail, name="training_set_detail"),
]
