"""The demo accounts: one per role, the secretaries in organizations with
enough members to show, and attendance kept in their organizations."""

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from activities.models import Activity, ActivityStep, Attendance
from members.models import Stage
from orgs.models import BusinessStatus, FormationMode, Role, RoleGrant, User
from orgs.proposals import proposal_confirm, proposal_create, proposal_reject

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
        city = self.district_count > 1
        # One district: its staff hold the whole installation, as always. A
        # city: `district` holds the first district, `district2` the second,
        # `city` the city (reads every district, sets the defaults).
        district_grant = (Role.DISTRICT, self.district if city else None, None)
        specs = [
            ("district", f"{self.district.name}两新工委演示账号" if city else "区两新工委演示账号", [district_grant]),
            ("street", f"{street.name}演示账号", [(Role.STREET, street, None)]),
            ("secretary", f"{first.secretary_name or '书记'}（{first.name[:12]}…）", [(Role.SECRETARY, None, first)]),
            (
                "secretary2",
                f"{second.secretary_name or '书记'}（{second.name[:12]}…）",
                [(Role.SECRETARY, None, second)],
            ),
            ("leader", "区委领导演示账号", [(Role.LEADER, self.district, None)]),
        ]
        if city:
            assert self.city is not None
            second_district = self.districts[1]
            specs += [
                ("city", f"{self.city.name}两新工委演示账号", [(Role.CITY, self.city, None)]),
                ("district2", f"{second_district.name}两新工委演示账号", [(Role.DISTRICT, second_district, None)]),
            ]
        made: dict[str, User] = {}
        for username, display, grants in specs:
            user = made[username] = User.objects.create(username=username, display_name=display, password=hashed)
            for role, region, org in grants:
                RoleGrant.objects.create(user=user, role=role, region=region, organization=org)
            self.result.users.append((username, display))
        # The street's staff decide the first secretary's records; the second
        # is in a street without a demo account, so the district decides them.
        self.activity_history(
            filers={first.pk: made["secretary"], second.pk: made["secretary2"]},
            reviewers={
                first.pk: made["street"] if first.street_id == street.pk else made["district"],
                second.pk: made["district"],
            },
        )
        self.proposals(
            secretary=made["secretary"],
            organization=first,
            staff=made["street"] if first.street_id == street.pk else made["district"],
        )
        RoleGrant.objects.create(user=self.instructor_user, role=Role.INSTRUCTOR)
        self.result.users.append(("instructor", self.instructor_user.display_name))
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
                            member_id=m.pk,
                            attended=k not in absent,
                            absence_reason="因公出差" if k in absent else "",
                        )
                        for k, m in enumerate(roster)
                    ]
                )

    def proposals(self, *, secretary: User, organization, staff: User) -> None:
        """The first secretary's change proposals: one the street confirmed, one
        it sent back, and two waiting in its queue (no random draws: the seed's
        stream is unchanged)."""
        done = proposal_create(
            by=secretary,
            organization=organization,
            record=organization,
            reason="党小组设置有调整",
            has_groups=not organization.has_groups,
        )
        proposal_confirm(proposal=done, by=staff, note="已核实党小组名单")
        organization.refresh_from_db()
        back = proposal_create(
            by=secretary,
            organization=organization,
            record=organization,
            reason="按上级批复更正批准日期",
            approved_on=(organization.approved_on or self.as_of) - timedelta(days=3),
        )
        proposal_reject(proposal=back, by=staff, note="请附上级批复文件后重新提出")
        organization.refresh_from_db()
        proposal_create(
            by=secretary,
            organization=organization,
            record=organization,
            reason="支部委员会已于上月选出",
            has_committee=not organization.has_committee,
        )
        enterprise = organization.enterprises.order_by("pk").first()
        if enterprise is not None:
            changes = {"employees": enterprise.employees + 2, "union_established": not enterprise.union_established}
            if enterprise.status != BusinessStatus.OPERATING and enterprise.closed_on is None:
                changes["status"] = BusinessStatus.OPERATING  # resumed trading
            proposal_create(
                by=secretary, organization=organization, record=enterprise, reason="企业复工，从业人员增加", **changes
            )

    def activity_history(self, *, filers: dict[int, User], reviewers: dict[int, User]) -> None:
        """The demo secretaries' records carry their history: filed and
        submitted by the secretary, decided by staff (never the same person).
        Times follow the record's own dates; nothing is drawn from the random stream."""
        # Nothing is decided after the seed's day.
        latest = min(timezone.now(), timezone.make_aware(datetime.combine(self.as_of, time(18, 0))))
        activities = list(Activity.objects.filter(organization_id__in=list(filers)).order_by("held_on", "pk"))
        steps = []
        for activity in activities:
            filer, reviewer = filers[activity.organization_id], reviewers[activity.organization_id]
            evening = timezone.make_aware(datetime.combine(activity.held_on, time(20, 0)))
            filed = min(activity.submitted_at - timedelta(hours=2) if activity.submitted_at else evening, latest)
            activity.created_by, activity.created_at = filer, filed
            steps.append(ActivityStep(activity=activity, action=ActivityStep.Action.CREATED, by=filer, at=filed))
            if activity.submitted_at is None:
                continue
            activity.submitted_by = filer
            steps.append(
                ActivityStep(
                    activity=activity, action=ActivityStep.Action.SUBMITTED, by=filer, at=activity.submitted_at
                )
            )
            if activity.status in (Activity.Status.APPROVED, Activity.Status.RETURNED):
                decided = activity.submitted_at + timedelta(days=1 + activity.held_on.toordinal() % 4)
                decided = max(min(decided, latest), activity.submitted_at)
                approved = activity.status == Activity.Status.APPROVED
                activity.reviewed_by, activity.reviewed_at = reviewer, decided
                steps.append(
                    ActivityStep(
                        activity=activity,
                        action=ActivityStep.Action.APPROVED if approved else ActivityStep.Action.RETURNED,
                        by=reviewer,
                        at=decided,
                        note="" if approved else activity.return_reason,
                    )
                )
        Activity.objects.bulk_update(
            activities, ["created_by", "created_at", "submitted_by", "reviewed_by", "reviewed_at"], batch_size=500
        )
        ActivityStep.objects.bulk_create(steps, batch_size=2000)
