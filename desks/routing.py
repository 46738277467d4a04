from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/desks/floor/<int:floor_id>/<str:day>/", consumers.FloorConsumer.as_asgi()),
]
