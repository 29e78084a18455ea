"""Staff logins: accounts and their roles, passwords (argon2id), two-factor login, invitations, signing in and out."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".views:bp", ".account:bp", ".admin:bp", ".settings:bp"),
    menu=(MenuEntry("staff_admin.index", "Personal"), MenuEntry("settings_admin.index", "Inställningar")),
    commands=(".cli",),
    send_kinds={"password_reset": "Länk för nytt lösenord",
                "login_warning": "Varning om många försök att logga in",
                "second_factor_added": "Besked om ny tvåstegsverifiering",
                "staff_invitation": "Inbjudan till ett personalkonto"},
)
