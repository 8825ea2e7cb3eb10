"""What the parts of a nightly run have computed and the final step has not
yet published (stats.run, DESIGN.md §11). Rows are keyed by the run's token
(the date's mark, stats.run.run_claim), read and deleted by the final step in
the same transaction that publishes them, and deleted by the error path of a
run that fails; nothing reads them for a page.

The published results (coverage snapshots, ratings, warnings) live in
orgs.models.statistics."""

from django.db import models


class StagedPart(models.Model):
    """One part's results other than its ratings: its coverage cells and the
    (organization, cell) pairs that count organizations per scope, its
    warning drafts, its timings. A few thousand rows of JSON at 100,000
    enterprises, so one value per part; not sent through the broker."""

    token = models.CharField(max_length=32, db_index=True)
    on = models.DateField()
    label = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "label"], name="staged_part_once_per_run")]

    def __str__(self) -> str:
        return f"{self.on} {self.label}"


class StagedRating(models.Model):
    """One organization's computed rating, as orgs.Rating will hold it; the
    final step copies these rows with one INSERT … SELECT (stats.rating_publish)."""

    token = models.CharField(max_length=32, db_index=True)
    on = models.DateField()
    organization_id = models.BigIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=2)
    computed_stars = models.PositiveSmallIntegerField()
    vetoed = models.BooleanField(default=False)
    evidence = models.JSONField(default=dict)
    next_star_gap = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.on} {self.organization_id}"
