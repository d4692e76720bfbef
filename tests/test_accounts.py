"""Tokens and their owners: no token begins for a disabled user, and none outlives its owner's
account, whatever the order of the two."""

import asyncio
import io

from sqlalchemy import update

from reclamations.cli.main import main
from reclamations.db.accounts import add_user, create_token, disable_user, token_principal
from reclamations.db.engine import create_engine
from reclamations.db.migrate import upgrade
from reclamations.db.models import UserRow

PASSWORD = "une-phrase-pour-hugo"


def test_no_token_is_created_for_a_disabled_user(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'accounts.db'}"

    async def migrate():
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "hugo", "--role", "agent", "--password-stdin"]) == 0
    assert main(["users", "disable", "hugo"]) == 0
    capsys.readouterr()
    assert main(["tokens", "create", "outil-hugo", "--owner", "hugo"]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == (
        "complaints tokens: erreur : l'utilisateur 'hugo' est désactivé : "
        "il ne peut posséder de jeton"
    )
    assert "rcl_" not in out  # no token shown
    assert main(["tokens", "list"]) == 0
    assert "outil-hugo" not in capsys.readouterr().out


async def test_a_token_does_not_outlive_its_owner(sessions):
    await add_user(sessions, "hugo", PASSWORD, "agent")
    revoked = await create_token(sessions, "outil-hugo", owner="hugo")
    principal = await token_principal(sessions, revoked)
    assert principal is not None and principal.name == "outil-hugo"
    assert await disable_user(sessions, "hugo") == 1
    assert await token_principal(sessions, revoked) is None
    # A token that escaped the revocation (created while its owner was being disabled) is
    # refused all the same: it stands for an inactive owner.
    await add_user(sessions, "hugo", PASSWORD, "agent", replace=True)
    escaped = await create_token(sessions, "outil-hugo-2", owner="hugo")
    async with sessions.begin() as session:
        await session.execute(
            update(UserRow).where(UserRow.username == "hugo").values(active=False)
        )
    assert await token_principal(sessions, escaped) is None
    assert await token_principal(sessions, revoked) is None
