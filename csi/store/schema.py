"""The store's tables (SQLAlchemy 2 Core metadata; Alembic migrations create them).

- ``csi_settings``: key/value (e.g. the per-store random PII salt);
- ``survey_versions``: one row per distinct survey YAML text (``survey_id``, ``version``,
  ``sha256`` unique, ``yaml_text``);
- ``import_batches``: one row per import (or the form's pseudo-batch): file name, file hash,
  platform, encoding, counts, time;
- ``responses``: one row per respondent: indexed columns (``survey_id``, ``survey_version_id``,
  ``batch_id``, ``respondent_id`` unique per survey, ``submission_key`` unique per survey,
  ``source_row``, ``submitted_at`` as ISO-8601 text (naive UTC; sorts correctly), ``wave``) and
  the answers as one JSON object text (``{field id: value}``, missing answers omitted). Reading
  100k rows back is one SELECT plus a vectorised JSON parse (see ``Store.responses_frame``);
  ``pii`` holds salted hashes only (``--keep-pii``), never raw contact data;
- ``rejected_rows``: the quarantine: batch, source row, reasons, the raw row as JSON text;
- ``batch_frames`` (migration 0002): the stored rows of each import batch once more as one
  Parquet blob (canonical columns), written in the same transaction; ``responses_frame`` reads
  these blobs (columnar, fast) and parses JSON only for rows outside an import batch (form
  submissions). ``responses`` stays the source of truth for ids, counts and uniqueness.
- ``alert_log`` (migration 0019): one row per alert ever raised (``survey_id``, ``alert_key``
  unique together), with its JSON payload, when it was first seen and when (and where) it was
  sent; an alert with ``sent_at`` set is never sent again (:mod:`csi.alerts`);
- ``comment_analysis`` (migration 0019): cached analyses of distinct comment texts per lexicon
  fingerprint (text SHA-256 only, no text, no respondent) (:mod:`csi.store.comment_cache`).
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["metadata", "settings", "survey_versions", "import_batches", "responses", "rejected_rows",
           "batch_frames", "users", "login_attempts", "user_sessions", "audit_log", "contacts", "cases",
           "case_events", "alert_log", "comment_analysis", "invitations"]

metadata = sa.MetaData()

settings = sa.Table(
    "csi_settings", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

survey_versions = sa.Table(
    "survey_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("yaml_text", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

import_batches = sa.Table(
    "import_batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source_name", sa.String(255), nullable=False),
    sa.Column("file_hash", sa.String(64), nullable=True, index=True),
    sa.Column("platform", sa.String(32), nullable=True),
    sa.Column("encoding", sa.String(32), nullable=True),
    sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("imported", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("flagged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.String(32), nullable=False),
)

responses = sa.Table(
    "responses", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False, index=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True, index=True),
    sa.Column("respondent_id", sa.String(128), nullable=False),
    sa.Column("submission_key", sa.String(128), nullable=True),
    sa.Column("source_row", sa.Integer, nullable=True),
    sa.Column("submitted_at", sa.String(32), nullable=True),
    sa.Column("wave", sa.String(32), nullable=True),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("flags", sa.Text, nullable=True),
    sa.Column("pii", sa.Text, nullable=True),
    # issue 14: JSON {field: missingness type} of the respondent's missing answers (migration 0014)
    sa.Column("missing", sa.Text, nullable=True),
    sa.UniqueConstraint("survey_id", "respondent_id", name="uq_responses_survey_respondent"),
    sa.UniqueConstraint("survey_id", "submission_key", name="uq_responses_survey_submission"),
    sa.Index("ix_responses_survey_wave", "survey_id", "wave"),
    sa.Index("ix_responses_submitted_at", "survey_id", "submitted_at"),
)

rejected_rows = sa.Table(
    "rejected_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False, index=True),
    sa.Column("source_row", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
)

batch_frames = sa.Table(
    "batch_frames", metadata,
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), primary_key=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# -- issue 18: staff accounts, audit log, contact vault, follow-up cases (migration 0018) -------
# - ``users``: staff accounts (argon2 hash, role admin|analyst|agent|viewer, disabled flag);
# - ``login_attempts``: every login try (account, client, ok) -- the throttle counts failures
#   since the last success per account and per client;
# - ``user_sessions``: one row per login (SHA-256 of the session token, expiry, end time);
# - ``audit_log``: who did what when (logins, failed logins, reveals, exports, role changes, purges);
# - ``contacts``: encrypted contact data (AES-GCM, ``key_id`` names the key version) of a response;
# - ``cases`` / ``case_events``: follow-up cases (one per response) and their history.
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("password_changed_at", sa.String(32), nullable=False),
)

login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("client", sa.String(64), nullable=False, index=True),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)

user_sessions = sa.Table(
    "user_sessions", metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("last_seen", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("ended_at", sa.String(32), nullable=True),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("target", sa.String(128), nullable=True),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("client", sa.String(64), nullable=True),
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("respondent_id", sa.String(128), nullable=False),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("masked", sa.String(64), nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False, index=True),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("survey_id", "respondent_id", "field", name="uq_contacts_response_field"),
)

cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("respondent_id", sa.String(128), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("owner", sa.String(64), nullable=True, index=True),
    sa.Column("opened_at", sa.String(32), nullable=False),
    sa.Column("due_at", sa.String(32), nullable=False),
    sa.Column("first_contact_at", sa.String(32), nullable=True),
    sa.Column("closed_at", sa.String(32), nullable=True),
    sa.Column("reference", sa.String(128), nullable=True),
    sa.Column("wave", sa.String(32), nullable=True),
    sa.Column("summary", sa.Text, nullable=False),
    sa.UniqueConstraint("survey_id", "respondent_id", name="uq_cases_response"),
)

case_events = sa.Table(
    "case_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
)

# -- alerts (issue 19) ---------------------------------------------------------------------
alert_log = sa.Table(
    "alert_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("alert_key", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("wave", sa.String(32), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("first_seen_at", sa.String(32), nullable=False),
    sa.Column("sent_at", sa.String(32), nullable=True),
    sa.Column("channel", sa.String(32), nullable=True),
    sa.UniqueConstraint("survey_id", "alert_key", name="uq_alert_log_survey_key"),
)

comment_analysis = sa.Table(
    "comment_analysis", metadata,
    sa.Column("lexicon_key", sa.String(64), primary_key=True),
    sa.Column("text_hash", sa.String(64), primary_key=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("categories", sa.Text, nullable=False),
    sa.Column("sentiment", sa.Float, nullable=False),
    sa.Column("keywords", sa.Text, nullable=False),
)

# -- issue 20: invitations (single-use form links) ------------------------------------------
#: One row per invitation token. The token itself is never stored: ``token_hash`` is its
#: SHA-256 (hex). The order number (migration 0021) is never stored in plain text:
#: ``order_ref_enc`` (vault ciphertext), ``order_ref_hash`` (keyed look-up hash, unique per
#: survey), ``order_ref_masked`` and ``order_key_id`` (:mod:`csi.invite.order_refs`). It and
#: ``prefill`` (JSON ``{segment question id: option code}``, e.g. channel, category) come from
#: the order file and are written into the response's answers; ``wave`` / ``channel`` label the invitation for response-rate tables;
#: ``opened_at`` is the first visit, ``completed_at`` / ``respondent_id`` the one response.
#: Times are ISO-8601 text, naive UTC (as everywhere in the store).
invitations = sa.Table(
    "invitations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("wave", sa.String(32), nullable=True),
    sa.Column("channel", sa.String(64), nullable=True),
    sa.Column("prefill", sa.Text, nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=True),
    sa.Column("opened_at", sa.String(32), nullable=True),
    sa.Column("completed_at", sa.String(32), nullable=True),
    sa.Column("respondent_id", sa.String(128), nullable=True),
    sa.Column("order_ref_hash", sa.String(64), nullable=True),
    sa.Column("order_ref_enc", sa.LargeBinary, nullable=True),
    sa.Column("order_ref_masked", sa.String(160), nullable=True),
    sa.Column("order_key_id", sa.String(16), nullable=True),
    sa.Index("uq_invitations_survey_order", "survey_id", "order_ref_hash", unique=True),
)
