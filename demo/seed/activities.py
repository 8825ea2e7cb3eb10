"""Twelve months of organizational life: meetings, lectures and theme days
with realistic gaps (some organizations keep every meeting, a few go quiet),
and attendance where an organization keeps it."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activities.models import Activity, ActivityType, Attendance
from members.models import Stage

from .base import BATCH, FLUSH, Person, SeederBase

RETURN_REASONS = ["会议记录不完整，请补充决议事项", "出席人数与签到照片不符，请核对", "请补充主题党日活动照片"]


def submission_time(held: date, k: int, as_of: date) -> datetime:
    """When a record was submitted: one to ten days after the meeting, in
    office hours, never after the seed's day (nor now). Worked out from the
    record alone, so the random stream, and with it the seed, is unchanged."""
    day = min(held + timedelta(days=1 + (held.toordinal() + k) % 10), as_of)
    minutes = 8 * 60 + 30 + (k * 37) % (9 * 60)
    at = timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))
    return min(at, timezone.now())


class ActivitySteps(SeederBase):
    def activities(self) -> None:
        self.progress("组织生活")
        rng = self.rng
        today = self.as_of
        first_month = date(today.year - 1, today.month, 1)
        months = []
        cursor = first_month
        while cursor <= today:
            months.append(cursor)
            cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
        rows: list[Activity] = []
        written = 0
        with_attendance: list[tuple[Activity, list[Person]]] = []
        topics = {
            ActivityType.THEME_DAY: [
                "学习贯彻党的二十届四中全会精神",
                "重温入党誓词",
                "党员志愿服务进社区",
                "参观红色教育基地",
            ],
            ActivityType.COMMITTEE_MEETING: ["研究党员发展工作", "部署季度党建工作", "讨论党费收缴情况"],
            ActivityType.GROUP_MEETING: ["学习党章党规", "交流岗位建功心得"],
            ActivityType.GENERAL_MEETING: ["讨论接收预备党员", "通报支部工作", "选举支部委员会"],
            ActivityType.PARTY_LECTURE: ["书记讲党课：企业发展与党建引领", "党课：弘扬伟大建党精神"],
            ActivityType.LIFE_MEETING: ["年度组织生活会"],
            ActivityType.APPRAISAL: ["民主评议党员"],
            ActivityType.VOLUNTEER: ["党员志愿服务", "关爱困难职工"],
            ActivityType.PIONEER: ["党员先锋岗评选"],
        }
        for org in self.orgs:
            if len(rows) >= FLUSH:
                # Written in chunks as they are made: the draws, and so the seed, are the same.
                Activity.objects.bulk_create(rows, batch_size=BATCH)
                written += len(rows)
                rows = []
                self.flushed()
            roster = [m for m in self.org_members.get(org.pk, []) if m.stage in (Stage.FORMAL, Stage.PROBATIONARY)]
            due = len(roster)
            # Some organizations keep every meeting, some drift, a few go quiet.
            diligence = rng.choices([0.97, 0.85, 0.65, 0.4, 0.1], [30, 30, 20, 12, 8])[0]
            keep_attendance = rng.random() < 0.05

            def hold(kind: str, month: date) -> None:
                last_day = (date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(days=1)).day
                held = date(month.year, month.month, rng.randint(1, last_day))
                if held > today:
                    return
                absent = sum(1 for _ in range(due) if rng.random() < 0.08)
                age = (today - held).days
                if age > 40:
                    status = rng.choices([Activity.Status.APPROVED, Activity.Status.RETURNED], [97, 3])[0]
                else:
                    status = rng.choices(list(Activity.Status.values), [15, 45, 35, 5])[0]
                activity = Activity(
                    organization=org,
                    activity_type=kind,
                    held_on=held,
                    place="党员活动室",
                    topic=rng.choice(topics.get(kind, ["其他活动"])),
                    host=org.secretary_name,
                    recorder=self.person_name(),
                    minutes="会议按议程进行，党员积极发言。",
                    due_count=due,
                    attended_count=due - absent,
                    absent_count=absent,
                    status=status,
                    return_reason=rng.choice(RETURN_REASONS) if status == Activity.Status.RETURNED else "",
                )
                if status != Activity.Status.DRAFT:
                    # Pending records wait in the queue from their submission, oldest first.
                    activity.submitted_at = submission_time(held, written + len(rows), today)
                rows.append(activity)
                if keep_attendance and roster and age < 120:
                    with_attendance.append((activity, roster))

            for index, month in enumerate(months):
                if rng.random() < diligence:
                    hold(ActivityType.THEME_DAY, month)
                if org.has_committee and rng.random() < diligence:
                    hold(ActivityType.COMMITTEE_MEETING, month)
                if org.has_groups and rng.random() < diligence * 0.9:
                    hold(ActivityType.GROUP_MEETING, month)
                if index % 3 == 0:
                    quarter = months[index : index + 3]
                    if rng.random() < diligence:
                        hold(ActivityType.GENERAL_MEETING, rng.choice(quarter))
                    if rng.random() < diligence:
                        hold(ActivityType.PARTY_LECTURE, rng.choice(quarter))
                if month.month == 1 and rng.random() < diligence:
                    hold(ActivityType.LIFE_MEETING, month)
                    hold(ActivityType.APPRAISAL, month)
                if rng.random() < diligence * 0.25:
                    hold(rng.choice([ActivityType.VOLUNTEER, ActivityType.PIONEER]), month)
        Activity.objects.bulk_create(rows, batch_size=BATCH)
        attendance = []
        for activity, roster in with_attendance:
            absent = set(rng.sample(range(len(roster)), activity.absent_count))
            for k, member in enumerate(roster):
                attendance.append(
                    Attendance(
                        activity=activity,
                        member_id=member.pk,
                        attended=k not in absent,
                        absence_reason="因公出差" if k in absent else "",
                    )
                )
        Attendance.objects.bulk_create(attendance, batch_size=BATCH)
        self.count("activities", written + len(rows))
