"""POST /api/auth/token/: a program exchanges a user name and password for its API token
(DRF's obtain_auth_token), under the login rate limit (config/login_limit.py)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from .parsers import JSONParser
from .schema import ERRORS


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


@extend_schema(
    description="Exchange a user name and password for the user's API token (send it as "
    "`Authorization: Token <token>`). 429 after too many failed attempts.",
    request=AuthTokenSerializer,
    auth=[],
    responses={
        200: TokenSerializer,
        400: OpenApiResponse(description="Wrong credentials or missing fields: field-level messages."),
        429: ERRORS,
    },
)
class TokenView(ObtainAuthToken):
    parser_classes = (JSONParser, parsers.FormParser, parsers.MultiPartParser)


obtain_token = TokenView.as_view()
