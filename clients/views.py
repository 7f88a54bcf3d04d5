from django.db.models import Q

from config.api.viewsets import RecordViewSet

from .models import Client
from .serializers import ClientQuery, ClientSerializer


class ClientViewSet(RecordViewSet):
    """Clients. Deleting a client that has sessions is refused (409) unless ?cascade=true."""

    queryset = Client.objects.all()
    serializer_class = ClientSerializer
    query_serializer_class = ClientQuery
    cascade_delete = True

    def filter_records(self, queryset, params):
        if params.get("search"):
            term = params["search"]
            queryset = queryset.filter(Q(name__icontains=term) | Q(email__icontains=term))
        if "is_active" in params:
            queryset = queryset.filter(is_active=params["is_active"])
        return queryset.order_by(params["ordering"])
