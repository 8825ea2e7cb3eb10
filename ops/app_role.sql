-- The application's database role: it owns nothing and may not rewrite
-- history. Migrations (and `manage.py purge_audit`) run as the owner of the
-- tables; gunicorn, the Celery worker and beat connect as this role.
--
-- Run as the owner after every `migrate` (new tables need their grants):
--   psql "$OWNER_DATABASE_URL" -v app_role=partybuilding_app -f ops/app_role.sql
--
-- Not being the owner, the role cannot ALTER a table, so it cannot disable
-- or drop a trigger; without UPDATE, DELETE and TRUNCATE on the journal and
-- the audit trail, even a session with session_replication_role = replica
-- (which skips triggers) cannot change them.
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON funds_fundtransaction, funds_fundentry, auditlog_logentry FROM :"app_role";
