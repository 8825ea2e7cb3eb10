"""When a user's API tokens must end with something outside the API: a
logout from the pages, and a new password by any path (the admin's set
password, `changepassword`, a form calling `set_password`, a hash written by
hand). The receivers only notice; `token_revoke_all` does the work."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from orgs.models import User

from .services import token_revoke_all

# Set on the instance between its pre_save and post_save, so the tokens go
# only once the new password is really stored.
PASSWORD_CHANGED = "_api_tokens_revoke_after_save"


@receiver(user_logged_out)
def _revoke_tokens_at_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        token_revoke_all(user=user, reason="logout", by=user, request=request)


@receiver(pre_save, sender=User)
def _notice_password_change(
    sender: Any, instance: User, raw: bool, update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    if raw or instance._state.adding or (update_fields is not None and "password" not in update_fields):
        return
    # Comparing the stored hash catches every path, set_unusable_password
    # included. A hash upgrade at login counts too, as it does for Django's
    # own sessions (their check is derived from the hash). Only a bulk
    # QuerySet.update() of passwords goes unseen.
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        setattr(instance, PASSWORD_CHANGED, True)


@receiver(post_save, sender=User)
def _revoke_tokens_after_password_change(sender: Any, instance: User, **kwargs: Any) -> None:
    if getattr(instance, PASSWORD_CHANGED, False):
        setattr(instance, PASSWORD_CHANGED, False)
        token_revoke_all(user=instance, reason="password_changed")
