from django.http import Http404

from clients.models import Client
from config.api.viewsets import RecordViewSet

from .models import Session
from .serializers import ClientSessionQuery, SessionQuery, SessionSerializer


class SessionViewSet(RecordViewSet):
    """Sessions (appointments). client_id must name an existing client."""

    queryset = Session.objects.all()
    serializer_class = SessionSerializer
    query_serializer_class = SessionQuery

    def filter_records(self, queryset, params):
        if "client_id" in params:
            queryset = queryset.filter(client_id=params["client_id"])
        if "status" in params:
            queryset = queryset.filter(status=params["status"])
        if "starts_after" in params:
            queryset = queryset.filter(starts_at__gte=params["starts_after"])
        if "starts_before" in params:
            queryset = queryset.filter(starts_at__lt=params["starts_before"])
        return queryset.order_by(params["ordering"])


class ClientSessionViewSet(SessionViewSet):
    """One client's sessions (404 when the client does not exist)."""

    query_serializer_class = ClientSessionQuery
    permission_models = (Client, Session)

    def filter_records(self, queryset, params):
        client_id = self.kwargs["client_id"]
        if Client.storage().get(client_id) is None:  # one round trip; impossible ids: none
            raise Http404("No client matches the given query.")
        return super().filter_records(queryset.filter(client_id=client_id), params)
