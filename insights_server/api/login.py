"""Session login and logout for browser clients and scripts that prefer cookies."""

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from insights_server.auth import SessionAuthentication

INVALID_CREDENTIALS = "Invalid email or password."


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)


SuccessSerializer = inline_serializer("LoginSuccess", {"success": serializers.BooleanField()})


class LoginView(APIView):
    # No authenticators: logging in needs no CSRF token, like PostHog's login endpoint.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(request=LoginSerializer, responses={200: SuccessSerializer})
    def post(self, request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request, email=serializer.validated_data["email"], password=serializer.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError(INVALID_CREDENTIALS, code="invalid_credentials")
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        get_token(request._request)  # sets the CSRF cookie session clients need for writes
        return Response({"success": True})


class LogoutView(APIView):
    # Session authentication enforces CSRF for a signed-in browser: another site cannot log the user out.
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(request=None, responses={200: SuccessSerializer})
    def post(self, request) -> Response:
        logout(request._request)
        return Response({"success": True})
