"""Staff logins: accounts, passwords (argon2id), signing in and out."""
from ..domain import Domain

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".views:bp", ".account:bp"),
    commands=(".cli",),
    send_kinds={"password_reset": "Länk för nytt lösenord",
                "login_warning": "Varning om många försök att logga in"},
)
