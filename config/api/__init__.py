"""The REST API's shared pieces (Django REST framework): conditional requests (ETag, If-Match,
If-None-Match), pagination, permissions, the exception handler, the base viewset and the schema
helpers. The record-specific serializers and views live in clients/ and sessions_app/."""
