"""Party-building instructors: one per street plus the demo instructor,
assigned to enterprises without an organization, with their visits."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password

from orgs.models import (
    BusinessStatus,
    Enterprise,
    EnterpriseSurvey,
    InstructorAssignment,
    InstructorVisit,
    Role,
    RoleGrant,
    User,
)

from .base import BATCH, SeederBase


class InstructorSteps(SeederBase):
    def instructors(self) -> None:
        self.progress("党建指导员")
        rng = self.rng
        hashed = make_password(self.password)
        self.instructor_users = []
        for street in self.streets:
            user = User.objects.create(
                # The first district's as always; a street of another district by its whole code.
                username=f"instructor_{street.code[-3:] if self.district_index == 0 else street.code}",
                display_name=self.person_name() + "（指导员）",
                password=hashed,
            )
            self.instructor_users.append(user)
        if self.district_index == 0:
            self.instructor_user = User.objects.create(
                username="instructor", display_name="演示指导员", password=hashed
            )
        street_users = {s.pk: u for s, u in zip(self.streets, self.instructor_users, strict=True)}
        covered = {e.pk for es in self.org_enterprises.values() for e in es}
        assignments = []
        demo_street = self.streets[0].pk
        # The demo instructor works in the first district's first street.
        demo_count = 0 if self.district_index == 0 else 15
        for e in self.enterprise_list:
            if e.pk in covered or e.status != BusinessStatus.OPERATING:
                continue
            if rng.random() < (0.5 if e.members_total else 0.2):
                user = street_users[e.street_id]
                if e.street_id == demo_street and demo_count < 15:
                    user = self.instructor_user
                    demo_count += 1
                e.instructor_assigned = True
                assignments.append(
                    InstructorAssignment(
                        instructor=user,
                        instructor_name=user.display_name,
                        enterprise=e,
                        start_on=self.day_between(self.as_of - timedelta(days=900), self.as_of - timedelta(days=60)),
                    )
                )
        created = InstructorAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        Enterprise.objects.bulk_update(
            [e for e in self.enterprise_list if e.instructor_assigned], ["instructor_assigned"], batch_size=BATCH
        )
        EnterpriseSurvey.objects.filter(
            enterprise__street__parent=self.district,
            enterprise__instructor_assignments__isnull=False,
            year=self.survey_year,
        ).update(instructor_assigned=True)
        visits = []
        for a in created:
            for _ in range(rng.randint(0, 4)):
                visits.append(
                    InstructorVisit(
                        assignment=a,
                        visited_on=self.day_between(a.start_on, self.as_of),
                        created_by=a.instructor,
                        summary=rng.choice(
                            [
                                "宣讲党的政策，了解企业党员情况",
                                "指导企业做好党员发展工作",
                                "走访出资人，宣传组建党组织意义",
                                "协助开展主题党日活动",
                            ]
                        ),
                    )
                )
        InstructorVisit.objects.bulk_create(visits, batch_size=BATCH)
        for user in self.instructor_users:
            RoleGrant.objects.create(user=user, role=Role.INSTRUCTOR)
        self.count("instructor_assignments", len(created))
