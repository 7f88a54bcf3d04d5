from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import CeilingView, ClientViewSet, SessionViewSet

router = SimpleRouter()
router.register("clients", ClientViewSet)
router.register("sessions", SessionViewSet)

urlpatterns = [path("api/ceiling/", CeilingView.as_view()), path("api/", include(router.urls))]
