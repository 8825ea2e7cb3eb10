"""POST /api/v1/auth/token/: a token for scripts, with the same rules as the
login page: django-axes counts failures and locks, and a user with two-factor
must send the current code."""

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StrictSerializer
from orgs.audit import audit_event

from .services import otp_check, otp_confirmed_device


class AccountLocked(exceptions.APIException):
    status_code = 429
    default_detail = gettext_lazy("连续登录失败次数过多，账号已锁定30分钟")
    default_code = "locked"


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.RegexField(r"^\d{6}$", required=False, help_text="已启用双因素认证的账号须填写")


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="签发 API 令牌",
        tags=["认证"],
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = authenticate(request._request, username=data["username"], password=data["password"])
        except PermissionDenied:
            raise AccountLocked() from None
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("用户名或密码不正确；连续失败5次账号将被锁定30分钟"))
        if otp_confirmed_device(user) is not None:
            if otp_check(user=user, token=data.get("otp_token", ""), request=request._request) is None:
                raise exceptions.AuthenticationFailed(_("请填写正确的6位双因素验证码（otp_token）"))
        token, _created = Token.objects.get_or_create(user=user)
        audit_event(actor=user, instance=user, event="token_issued", request=request._request)
        return Response({"token": token.key})
