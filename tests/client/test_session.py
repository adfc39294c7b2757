"""Sign-in, token reuse and keyring fallback against a real server over loopback."""

from __future__ import annotations

import os
import stat

import pytest

from desk_tui.client.errors import ApiError, AuthExpired
from desk_tui.client.tokens import NO_KEYRING_WARNING, TokenStore


async def test_login_keeps_the_token_in_the_keyring_and_resume_reuses_it(live, make_client, dict_keyring):
    first = make_client(live.url)
    signed = await first.login("reception", "1111")
    assert signed.staff.role == "reception" and first.signed_in == signed
    assert dict_keyring.store[("desk-tui:" + live.url, "reception")] == signed.token
    assert first.tokens.warning is None

    again = make_client(live.url)  # the next start of the app
    me = await again.resume()
    assert me is not None and me.staff.id == signed.staff.id and me.location.id == signed.location.id
    assert again.signed_in.token == signed.token
    assert (await again.me()).staff.username == "reception"


async def test_logout_revokes_and_forgets(live, make_client, dict_keyring):
    client = make_client(live.url)
    await client.login("manager", "2222")
    await client.logout()
    assert client.signed_in is None and not dict_keyring.store
    assert await make_client(live.url).resume() is None


async def test_a_revoked_token_is_not_resumed_and_is_dropped(live, make_client, dict_keyring):
    client = make_client(live.url)
    signed = await client.login("owner", "3333")
    other = make_client(live.url)
    other.signed_in = signed
    await other.logout()  # revoked on the server; the first client still holds it
    with pytest.raises(AuthExpired) as caught:
        await client.me()
    assert caught.value.sentence == "Your session has ended. Please sign in again."
    assert client.signed_in is None
    dict_keyring.store[("desk-tui:" + live.url, "owner")] = signed.token
    assert await make_client(live.url).resume() is None
    assert ("desk-tui:" + live.url, "owner") not in dict_keyring.store


async def test_wrong_pin_is_a_plain_sentence(live, make_client, dict_keyring):
    client = make_client(live.url)
    with pytest.raises(ApiError) as caught:
        await client.login("manager", "9999")
    assert not isinstance(caught.value, AuthExpired)
    assert caught.value.sentence.startswith("That username and PIN do not match.")
    await client.login("manager", "2222")  # and a right PIN clears the failures


async def test_a_keyring_that_raises_falls_back_to_memory_once(live, make_client, broken_keyring, home):
    tokens = TokenStore(live.url, paths=home)
    client = make_client(live.url, tokens=tokens)
    await client.login("reception", "1111")
    assert tokens.warning == NO_KEYRING_WARNING and not tokens.using_keyring
    calls = broken_keyring.calls
    assert calls >= 1
    await client.logout()
    await client.login("reception", "1111")
    assert broken_keyring.calls == calls  # said once, then memory only: no more keyring calls
    assert tokens.get("reception") == client.signed_in.token
    written = [p for p in home.state_dir.rglob("*") if p.is_file()] if home.state_dir.exists() else []
    assert all(client.signed_in.token not in p.read_text() for p in written)
    assert not (home.state_dir / "tokens.json").exists()
    # The next start cannot resume: it asks for the PIN again, without crashing.
    assert await make_client(live.url, tokens=TokenStore(live.url, paths=home)).resume() is None


def test_the_fail_backend_warns_before_any_call(home, monkeypatch):
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    before = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        tokens = TokenStore("http://x", paths=home)
        assert tokens.warning == NO_KEYRING_WARNING and tokens.backend_name == "keyring.backends.fail.Keyring"
        tokens.set("reception", "secret")
        assert tokens.get("reception") == "secret"
    finally:
        keyring.set_keyring(before)


def test_the_opt_in_token_file_is_private(home, broken_keyring):
    tokens = TokenStore("http://x", paths=home, allow_file=True)
    tokens.set("reception", "s3cret")
    path = home.state_dir / "tokens.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert TokenStore("http://x", paths=home, allow_file=True).get("reception") == "s3cret"
    assert TokenStore("http://other", paths=home, allow_file=True).get("reception") is None
    tokens.delete("reception")
    assert TokenStore("http://x", paths=home, allow_file=True).get("reception") is None
