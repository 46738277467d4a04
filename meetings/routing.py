from django.urls import path

from meetings import consumers

websocket_urlpatterns = [
    path("ws/meetings/<int:meeting_id>/live/", consumers.LiveConsumer.as_asgi()),
]
