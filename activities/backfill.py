"""The history of records filed before it was kept: steps rebuilt from the
audit trail's domain events (who created, edited, submitted, approved or
returned a record, and when), and from the record's own fields where the
trail has nothing. Used by a data migration, so it takes the models it
writes as arguments (the migration's historical models)."""

from typing import Any

# Audit event → step action. Deleting an attachment is an edit of the record.
EVENT_ACTIONS = {
    "activity_created": "created",
    "activity_updated": "updated",
    "attachment_deleted": "updated",
    "activity_submitted": "submitted",
    "activity_approved": "approved",
    "activity_returned": "returned",
}


def _note(event: str, changes: Any) -> str:
    changes = changes if isinstance(changes, dict) else {}
    if event == "activity_returned":
        return str(changes.get("reason", ""))
    if event == "attachment_deleted":
        return f"删除附件 {changes.get('file', '')}".strip()
    return ""


def backfill_steps(*, activity_model: Any, step_model: Any, log_model: Any, content_type_model: Any) -> int:
    """Write the steps of every record that has none yet; returns how many.
    Sets a missing `submitted_by` / `submitted_at` from the last submission
    the trail recorded. Lines whose person is unknown are not invented."""
    content_type = content_type_model.objects.filter(app_label="activities", model="activity").first()
    events: dict[str, list[Any]] = {}
    if content_type is not None:
        entries = (
            log_model.objects.filter(content_type=content_type, actor__isnull=False)
            .filter(additional_data__event__in=list(EVENT_ACTIONS))
            .order_by("timestamp", "pk")
        )
        for entry in entries.iterator():
            events.setdefault(str(entry.object_pk), []).append(entry)
    written = 0
    for activity in activity_model.objects.filter(steps__isnull=True).iterator():
        steps = []
        for entry in events.get(str(activity.pk), []):
            event = entry.additional_data["event"]
            steps.append(
                step_model(
                    activity_id=activity.pk,
                    action=EVENT_ACTIONS[event],
                    by_id=entry.actor_id,
                    at=entry.timestamp,
                    note=_note(event, entry.changes),
                )
            )
        actions = {s.action for s in steps}
        if "created" not in actions and activity.created_by_id is not None:
            steps.insert(
                0,
                step_model(
                    activity_id=activity.pk, action="created", by_id=activity.created_by_id, at=activity.created_at
                ),
            )
        if not actions & {"approved", "returned"} and activity.reviewed_by_id is not None and activity.reviewed_at:
            action = "approved" if activity.status == "approved" else "returned"
            note = activity.return_reason if action == "returned" else ""
            steps.append(
                step_model(
                    activity_id=activity.pk,
                    action=action,
                    by_id=activity.reviewed_by_id,
                    at=activity.reviewed_at,
                    note=note,
                )
            )
        submissions = [s for s in steps if s.action == "submitted"]
        if submissions and activity.status != "draft":
            last = submissions[-1]
            changed = []
            if activity.submitted_by_id is None:
                activity.submitted_by_id = last.by_id
                changed.append("submitted_by")
            if activity.submitted_at is None:
                activity.submitted_at = last.at
                changed.append("submitted_at")
            if changed:
                activity.save(update_fields=changed)
        step_model.objects.bulk_create(steps)
        written += len(steps)
    return written
