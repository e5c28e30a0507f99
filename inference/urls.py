from django.urls import path

from . import views

app_name = "inference"
urlpatterns = [
    path("conversations/new/", views.new_conversation, name="new_conversation"),
    path("chat/<uuid:pk>/", views.chat, name="chat"),
    path("chat/<uuid:pk>/send/", views.send, name="send"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<uuid:pk>/revoke/", views.revoke_key, name="revoke_key"),
]
