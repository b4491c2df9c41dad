"""Shapes of Zou's answers that several test modules assert (the contract, stated once for the tests)."""

# A person as Zou shows it to non-admins in lists (and to non-managers on GET one).
PERSON_MINIMAL_KEYS = frozenset(
    {
        "id",
        "type",
        "first_name",
        "last_name",
        "full_name",
        "has_avatar",
        "active",
        "departments",
        "studio_id",
        "role",
        "desktop_login",
        "is_bot",
    }
)
