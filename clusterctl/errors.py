"""Domain errors. The CLI turns each into one ``Error: ...`` line and its exit code."""

EXIT_FOUND = 1  # a report found what it was asked to fail on
EXIT_INPUT = 2  # bad input or usage
EXIT_DATABASE = 3  # database missing, locked, damaged, foreign or too new
EXIT_CONFLICT = 4  # the task changed since the caller read it
EXIT_REFUSED = 5  # the database server refused this login the action (PostgreSQL roles)
EXIT_INTERNAL = 70  # a bug: please report it
EXIT_OUTPUT = 74  # the output could not be written (a full disk, a failing device)


class ClusterError(Exception):
    """Base of every error the user can act on."""

    exit_code = EXIT_INPUT


class InputError(ClusterError):
    """Bad input: a date, an argument, a file."""


class NotFoundError(InputError):
    """A task, directive or agency that does not exist."""


class DatabaseError(ClusterError):
    """The database cannot be used as asked."""

    exit_code = EXIT_DATABASE


class ConflictError(ClusterError):
    """Someone else changed the task after the caller read it."""

    exit_code = EXIT_CONFLICT


class RetryableError(DatabaseError):
    """The server gave up a transaction for another's sake (a deadlock, a serialization
    failure); running it again will most likely succeed."""


class PermissionRefused(ClusterError):
    """The database server refused this login the action: it needs another role."""

    exit_code = EXIT_REFUSED
