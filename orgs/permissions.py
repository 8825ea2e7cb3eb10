"""The API's door to the policy (orgs/policy/).

A viewset names, per write action, the predicate its caller must satisfy:
`write_policy = {"create": policy.may_keep_rosters}` (`"*"` for every
write). A list-level action is refused before anything is parsed; an
action on one record is decided once the record is found (the action must
fetch it with `self.get_object()`, which asks `has_object_permission`), so
a record outside the caller's reach is still a 404, never a 403 that
confirms it exists. The services behind the action check the same policy again on the
record itself, so a page and the API answer a role the same way. Reads are
scoped by the selectors and pass here untouched.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission


def _rule(view: Any) -> Callable[[Any], bool] | None:
    rules = getattr(view, "write_policy", {})
    return rules.get(getattr(view, "action", None)) or rules.get("*")


class PolicyPermission(BasePermission):
    message = gettext_lazy("您没有执行此操作的权限")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            return True  # decided in has_object_permission, after the scoped fetch
        rule = _rule(view)
        return rule is None or bool(rule(request.user))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        rule = _rule(view)
        return rule is None or bool(rule(request.user))
