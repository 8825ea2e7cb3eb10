"""The API's tokens, for scripts:

- POST /api/v1/auth/token/: a token, with the same rules as the login page:
  django-axes counts failures and locks, and a user with two-factor must
  send the current code.
- POST /api/v1/auth/token/refresh/: a new key for the same login, the one
  presented is revoked.
- POST /api/v1/auth/logout/: the presented token is revoked.

Tokens are django-rest-knox's (see security.services): stored as digests,
ending after the idle time and at the latest API_TOKEN_TTL_HOURS after login.
"""

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StrictSerializer
from core.errors import ApplicationError

from .services import otp_check, otp_confirmed_device, token_issue, token_max_expiry, token_refresh, token_revoke


class AccountLocked(exceptions.APIException):
    status_code = 429
    default_detail = gettext_lazy("连续登录失败次数过多，账号已锁定30分钟")
    default_code = "locked"


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.RegexField(r"^\d{6}$", required=False, help_text="已启用双因素认证的账号须填写")


class NoFieldsSerializer(StrictSerializer):
    """The token is the header; a body that tries to say more is refused."""


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="请求头 `Authorization: Token <token>`；只在此处出现一次")
    expiry = serializers.DateTimeField(help_text="闲置到此时令牌失效；每次使用顺延")
    max_expiry = serializers.DateTimeField(help_text="无论是否使用，令牌最迟于此时失效，须重新登录获取")


def _token_response(token: AuthToken, key: str) -> Response:
    return Response(
        TokenResponseSerializer({"token": key, "expiry": token.expiry, "max_expiry": token_max_expiry(token)}).data
    )


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="签发 API 令牌",
        tags=["认证"],
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
    )
    def post(self, request: Request) -> Response:
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
        if user.must_change_password:
            # A password staff set is not the owner's yet: no token until it is changed
            # (a reset also revokes the tokens already issued).
            raise exceptions.PermissionDenied(_("请先修改密码：您的密码由工作人员设置，须在网页上修改后才能继续"))
        token, key = token_issue(user=user, request=request._request)
        return _token_response(token, key)


class TokenRefreshView(APIView):
    # Only a token refreshes a token: a session has none to hand over.
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="更换 API 令牌",
        description="以当前令牌换取新令牌，当前令牌随即失效；新令牌的最迟失效时间与原令牌相同。",
        tags=["认证"],
        request=NoFieldsSerializer,
        responses={200: TokenResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        NoFieldsSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            token, key = token_refresh(token=request.auth, request=request._request)
        except ApplicationError as error:
            raise exceptions.AuthenticationFailed(error.messages[0]) from None
        return _token_response(token, key)


class LogoutView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="吊销当前 API 令牌",
        tags=["认证"],
        request=NoFieldsSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        NoFieldsSerializer(data=request.data).is_valid(raise_exception=True)
        token_revoke(token=request.auth, reason="api_logout", request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
