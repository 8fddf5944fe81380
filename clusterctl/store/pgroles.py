"""Who may do what in a PostgreSQL register, enforced by the server itself.

Three group roles per database, named after it (``clusterctl_viewer``, ``_staff`` and
``_admin`` for a database called ``clusterctl``), each with the rights of the one before:

- viewer: reads everything, so lists and reports;
- staff: also adds tasks, changes them (status, notes, due dates, edits) and appends to
  their history, which nobody may rewrite;
- admin: also imports (and undoes an import, removing the tasks it made), keeps agencies
  and directives, deletes and restores tasks, and grants roles.

The database's owner creates the tables (``clusterctl init``) and upgrades them. Logins get
a role with ``clusterctl db grant LOGIN --role ROLE``, which calls a function that runs with
the owner's rights and that only admins may call; a ``psql`` session has the same rights as
clusterctl, no more.
"""

from clusterctl.errors import InputError
from clusterctl.i18n import _

ROLES = ("viewer", "staff", "admin")

# Run with the owner's rights: a role name is built from the database's name, and only
# one of the three groups can be granted or taken away.
_GRANT = """CREATE OR REPLACE FUNCTION clusterctl_grant(login TEXT, level TEXT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE other TEXT;
BEGIN
  IF level IS NOT NULL AND level NOT IN ('viewer', 'staff', 'admin') THEN
    RAISE EXCEPTION 'no such role: %', level USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = login) THEN
    IF level IS NULL THEN RETURN; END IF;
    EXECUTE format('CREATE ROLE %I LOGIN', login);
  END IF;
  FOREACH other IN ARRAY ARRAY['viewer', 'staff', 'admin'] LOOP
    IF pg_catalog.pg_has_role(login, current_database() || '_' || other, 'MEMBER')
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                   WHERE m.roleid = (current_database() || '_' || other)::regrole
                     AND m.member = login::regrole) THEN
      EXECUTE format('REVOKE %I FROM %I', current_database() || '_' || other, login);
    END IF;
  END LOOP;
  IF level IS NOT NULL THEN
    EXECUTE format('GRANT %I TO %I', current_database() || '_' || level, login);
  END IF;
END $$"""


# PostgreSQL: the one way tasks leave the register, a function of the owner's that
# :meth:`clusterctl.core.taskwriter.TaskWriter.remove` calls: an import's undo removes the
# tasks it added, only those whose whole history is that import's own (nobody touched them
# since). Admins call it; nobody may delete a task or its history otherwise.
REMOVE_FUNCTION = """CREATE OR REPLACE FUNCTION clusterctl_remove_import_tasks(run INTEGER)
RETURNS VOID LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE r RECORD; ids INTEGER[];
BEGIN
  SELECT i.actor, i.source, CAST(i.undo AS JSONB) AS undo INTO r FROM import_run i
    WHERE i.id = run AND i.undone_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no import % to undo', run USING ERRCODE = '22023';
  END IF;
  SELECT array_agg(g) INTO ids FROM jsonb_array_elements(r.undo -> 'tasks_added') AS e(pair),
    generate_series(CAST(e.pair ->> 0 AS INTEGER), CAST(e.pair ->> 1 AS INTEGER)) AS g;
  IF ids IS NULL THEN RETURN; END IF;
  IF EXISTS (SELECT 1 FROM task_history h WHERE h.task_id = ANY(ids) AND NOT (
      h.id BETWEEN CAST(r.undo ->> 'first_entry' AS INTEGER)
               AND CAST(r.undo ->> 'last_entry' AS INTEGER)
      AND h.actor = r.actor AND h.source = r.source)) THEN
    RAISE EXCEPTION 'tasks of import % were changed since', run USING ERRCODE = '22023';
  END IF;
  DELETE FROM task_support_state WHERE task_id = ANY(ids);
  DELETE FROM task_state WHERE task_id = ANY(ids);
  DELETE FROM task_support WHERE task_id = ANY(ids);
  DELETE FROM import_base WHERE task_id = ANY(ids);
  DELETE FROM task_history WHERE task_id = ANY(ids);
  DELETE FROM task WHERE id = ANY(ids);
END $$"""


def role_name(database: str, level: str) -> str:
    return f"{database}_{level}"


def setup_statements(db) -> list[str]:
    """The statements that create the three roles (if missing) and give them their rights
    on this database's tables: run by ``init``, again harmlessly on an existing database."""
    from psycopg import sql

    database = db.conn.info.dbname
    schema = db.scalar("SELECT current_schema()")
    viewer, staff, admin = (sql.Identifier(role_name(database, r)) for r in ROLES)
    existing = {name for (name,) in db.rows(
        "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname IN (:v, :s, :a)",
        {"v": role_name(database, "viewer"), "s": role_name(database, "staff"),
         "a": role_name(database, "admin")})}
    statements = [sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name))
                  for name in (role_name(database, r) for r in ROLES) if name not in existing]
    s = sql.SQL
    statements += [
        s("GRANT {} TO {}").format(viewer, staff),
        s("GRANT {} TO {}").format(staff, admin),
        s("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), viewer),
        s("GRANT SELECT ON clusterctl_meta, agency, agency_alias, directive, task, "
          "task_support, task_history, task_state, task_support_state, import_base, "
          "agency_successor, record_history, import_run, task_series, setting, office_holiday "
          "TO {}")
          .format(viewer),
        # Deleting and restoring a task is an admin's (deleted_on): staff update the rest.
        s("REVOKE UPDATE ON task FROM {}").format(staff),
        s("GRANT INSERT ON task TO {}").format(staff),
        s("GRANT UPDATE (title, title_key, lead_id, due, original_due, status, completed_on, "
          "task_key, updated_at, version, priority, field, evidence, requested_due) ON task "
          "TO {}").format(staff),
        s("GRANT INSERT, UPDATE ON task_series TO {}").format(staff),
        s("GRANT USAGE ON SEQUENCE task_series_id_seq TO {}").format(staff),
        # The office's settings and its own holidays are an admin's.
        s("GRANT INSERT, UPDATE, DELETE ON setting, office_holiday TO {}").format(admin),
        # The recurring tasks an import added go with its undo.
        s("GRANT DELETE ON task_series TO {}").format(admin),
        s("GRANT UPDATE ON task TO {}").format(admin),
        s("GRANT INSERT, DELETE ON task_support TO {}").format(staff),
        s("GRANT INSERT, UPDATE, DELETE ON task_state, task_support_state TO {}").format(staff),
        s("GRANT INSERT ON task_history TO {}").format(staff),
        s("GRANT USAGE ON SEQUENCE task_id_seq, task_history_id_seq TO {}").format(staff),
        s("GRANT INSERT, UPDATE, DELETE ON agency, agency_alias, agency_successor, directive, "
          "import_base TO {}").format(admin),
        s("GRANT INSERT ON import_run TO {}").format(admin),
        s("GRANT UPDATE (undone_at, undone_by) ON import_run TO {}").format(admin),
        # The history of an agency or directive removed with the import that added it.
        s("GRANT INSERT, DELETE ON record_history TO {}").format(admin),
        s("REVOKE DELETE ON task, task_support, task_history, task_state, task_support_state "
          "FROM {}").format(admin),
        s(REMOVE_FUNCTION),
        s("REVOKE ALL ON FUNCTION clusterctl_remove_import_tasks(INTEGER) FROM PUBLIC"),
        s("GRANT EXECUTE ON FUNCTION clusterctl_remove_import_tasks(INTEGER) TO {}")
          .format(admin),
        s("GRANT USAGE ON SEQUENCE agency_id_seq, directive_id_seq, record_history_id_seq, "
          "import_run_id_seq TO {}").format(admin),
        # Admins keep the import's bookmark in clusterctl_meta, and nothing else there.
        s("GRANT INSERT, UPDATE, DELETE ON clusterctl_meta TO {}").format(admin),
        s("ALTER TABLE clusterctl_meta ENABLE ROW LEVEL SECURITY"),
        s("DROP POLICY IF EXISTS meta_read ON clusterctl_meta"),
        s("CREATE POLICY meta_read ON clusterctl_meta FOR SELECT USING (true)"),
        s("DROP POLICY IF EXISTS meta_import ON clusterctl_meta"),
        s("CREATE POLICY meta_import ON clusterctl_meta TO {} USING (name = 'last_import') "
          "WITH CHECK (name = 'last_import')").format(admin),
        s(_GRANT),
        s("REVOKE ALL ON FUNCTION clusterctl_grant(TEXT, TEXT) FROM PUBLIC"),
        s("GRANT EXECUTE ON FUNCTION clusterctl_grant(TEXT, TEXT) TO {}").format(admin),
        s("REVOKE ALL ON FUNCTION clusterctl_bump_generation() FROM PUBLIC"),
    ]
    return [statement.as_string(db.conn) for statement in statements]


def grant(db, login: str, level: str | None) -> None:
    """Give ``login`` the role ``level`` (creating the login, without a password, if
    missing) and take away its others; ``level`` None takes every role away."""
    if not login or "\x00" in login or len(login.encode()) > 63:
        raise InputError(_("{login!r} is not a PostgreSQL login name").format(login=login))
    with db.transaction():
        db.execute("SELECT clusterctl_grant(:login, :level)", {"login": login, "level": level})


def roles_of(db, login: str) -> list[str]:
    """The clusterctl roles ``login`` holds directly."""
    database = db.conn.info.dbname
    return [level for level in ROLES if db.scalar(
        "SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r "
        "ON r.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member "
        "WHERE r.rolname = :role AND u.rolname = :login",
        {"role": role_name(database, level), "login": login})]
