"""The API's door to the policy (orgs/policy.py).

A viewset names, per write action, the predicate its caller must satisfy
before anything is parsed: `write_policy = {"create": policy.may_keep_rosters}`.
The services behind the action check the same policy again on the record
itself, so the page and the API answer a role the same way. Reads are
scoped by the selectors and pass here untouched.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class PolicyPermission(BasePermission):
    message = "您没有执行此操作的权限"

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        rules = getattr(view, "write_policy", {})
        rule = rules.get(getattr(view, "action", None)) or rules.get("*")
        return rule is None or bool(rule(request.user))
