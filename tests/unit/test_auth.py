"""csi.auth: hash format, constant-time check, precedence of the password settings."""

from __future__ import annotations

import base64
import hashlib

import pytest

from csi.auth import AuthConfigError, check_password, hash_password, resolve_auth, verify_password


def test_hash_format_is_documented_shape():
    salt = b"0123456789abcdef"
    h = hash_password("pässwörd", iterations=1000, salt=salt)
    scheme, it, s_b64, d_b64 = h.split("$")
    assert (scheme, it) == ("pbkdf2_sha256", "1000")
    assert base64.b64decode(s_b64) == salt
    # the documented recipe reproduces the digest
    assert base64.b64decode(d_b64) == hashlib.pbkdf2_hmac("sha256", "pässwörd".encode(), salt, 1000)


def test_verify_and_random_salt():
    a, b = hash_password("pw", iterations=500), hash_password("pw", iterations=500)
    assert a != b  # different random salts
    assert verify_password("pw", a) and verify_password("pw", b)
    assert not verify_password("pw ", a)


@pytest.mark.parametrize("bad", ["md5$1$x$y", "pbkdf2_sha256$x$AAAA$AAAA", "pbkdf2_sha256$10$!!$AAAA",
                                 "pbkdf2_sha256$0$AAAA$AAAA", "plain"])
def test_malformed_hash_names_the_format(bad):
    with pytest.raises(AuthConfigError, match=r"pbkdf2_sha256\$<iterations>|iterations"):
        resolve_auth(env={"CSI_ADMIN_PASSWORD_HASH": bad})


def test_precedence_env_hash_then_password_then_secrets():
    h = hash_password("from-hash", iterations=100)
    cfg = resolve_auth(env={"CSI_ADMIN_PASSWORD_HASH": h, "CSI_ADMIN_PASSWORD": "plain"})
    assert cfg.mode == "hash" and check_password(cfg, "from-hash") and not check_password(cfg, "plain")
    cfg = resolve_auth(env={}, secrets={"CSI_ADMIN_PASSWORD": "s"})
    assert (cfg.mode, cfg.source) == ("password", "secrets") and check_password(cfg, "s")
    cfg = resolve_auth(env={"CSI_ADMIN_PASSWORD": "e"}, secrets={"CSI_ADMIN_PASSWORD": "s"})
    assert cfg.source == "env" and not check_password(cfg, "s")


def test_demo_mode_and_secret_not_in_repr():
    assert resolve_auth(env={}, secrets={}).demo
    assert resolve_auth(env={"CSI_ADMIN_PASSWORD": ""}).demo  # empty = not configured
    cfg = resolve_auth(env={"CSI_ADMIN_PASSWORD": "topsecret"})
    assert "topsecret" not in repr(cfg)


def test_bad_iterations():
    with pytest.raises(AuthConfigError, match="'iterations' parameter"):
        hash_password("x", iterations=0)


def test_cli_hash_password():
    from typer.testing import CliRunner

    from csi.cli.main import app

    out = CliRunner().invoke(app, ["hash-password", "--password", "pw", "--iterations", "1000"])
    assert out.exit_code == 0
    assert verify_password("pw", out.stdout.strip())
    bad = CliRunner().invoke(app, ["hash-password", "--password", "pw", "--iterations", "0"])
    assert bad.exit_code == 2
