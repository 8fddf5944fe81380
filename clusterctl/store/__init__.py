"""Storage: where the database is, its schema, and the statements run against it.

Everyday commands run portable SQL through :mod:`clusterctl.store.db` on the standard
library's sqlite3 driver; SQLModel (:mod:`clusterctl.store.models`) defines the schema and is
imported only to create or migrate a database, or to reach a non-SQLite URL.
"""
