"""The demo accounts: one per role, the secretaries in organizations with
enough members to show, and attendance kept in their organizations."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password

from activities.models import Activity, Attendance
from members.models import Stage
from orgs.models import FormationMode, Role, RoleGrant, User

from .base import SeederBase


class UserSteps(SeederBase):
    def users(self) -> None:
        self.progress("演示账号")
        hashed = make_password(self.password)
        street = self.streets[0]
        own = [o for o in self.orgs if o.formation_mode == FormationMode.OWN and o.parent_id is None]
        first = next((o for o in own if o.street_id == street.pk and len(self.org_members.get(o.pk, [])) >= 5), own[0])
        second = next(o for o in own if o.street_id != first.street_id and len(self.org_members.get(o.pk, [])) >= 5)
        self.secretary_orgs = [first, second]
        specs = [
            ("district", "区两新工委演示账号", [(Role.DISTRICT, None, None)]),
            ("street", f"{street.name}演示账号", [(Role.STREET, street, None)]),
            ("secretary", f"{first.secretary_name or '书记'}（{first.name[:12]}…）", [(Role.SECRETARY, None, first)]),
            (
                "secretary2",
                f"{second.secretary_name or '书记'}（{second.name[:12]}…）",
                [(Role.SECRETARY, None, second)],
            ),
            ("leader", "区委领导演示账号", [(Role.LEADER, self.district, None)]),
        ]
        for username, display, grants in specs:
            user = User.objects.create(
                username=username, display_name=display, password=hashed, is_staff=username == "district"
            )
            for role, region, org in grants:
                RoleGrant.objects.create(user=user, role=role, region=region, organization=org)
            self.result.users.append((username, display))
        RoleGrant.objects.create(user=self.instructor_user, role=Role.INSTRUCTOR)
        self.result.users.append(("instructor", self.instructor_user.display_name))
        for user in self.instructor_users:
            RoleGrant.objects.create(user=user, role=Role.INSTRUCTOR)
        # Every demo secretary's organization keeps attendance, so the pages show it.
        for org in self.secretary_orgs:
            roster = [m for m in self.org_members.get(org.pk, []) if m.stage in (Stage.FORMAL, Stage.PROBATIONARY)]
            for activity in Activity.objects.filter(organization=org, held_on__gte=self.as_of - timedelta(days=120)):
                if activity.attendance.exists() or not roster:
                    continue
                absent = set(self.rng.sample(range(len(roster)), min(activity.absent_count, len(roster))))
                Attendance.objects.bulk_create(
                    [
                        Attendance(
                            activity=activity,
                            member=m,
                            attended=k not in absent,
                            absence_reason="因公出差" if k in absent else "",
                        )
                        for k, m in enumerate(roster)
                    ]
                )
