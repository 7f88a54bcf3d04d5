from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ClientSessionViewSet, SessionViewSet

router = SimpleRouter()
router.register("sessions", SessionViewSet, basename="session")

urlpatterns = [
    path("clients/<str:client_id>/sessions/", ClientSessionViewSet.as_view({"get": "list"}), name="client-sessions"),
    *router.urls,
]
