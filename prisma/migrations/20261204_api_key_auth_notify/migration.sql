-- Issue 11: each instance keeps the API keys it has checked (server/services/users/api-key-cache.ts).
-- Every change that could refuse a kept key (revoked, expired, re-scoped, deleted, or its owner
-- disabled, demoted, renamed or deleted) is announced on pantheon_auth with the id of the owner,
-- whoever wrote it: this app, another instance, the admin CLI, psql. NOTIFY is sent at commit.
-- last_used_at is bookkeeping, written once a minute per key, and announces nothing.
CREATE FUNCTION pantheon_auth_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pantheon_auth', OLD.user_id::text);
  IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
    PERFORM pg_notify('pantheon_auth', NEW.user_id::text);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER api_keys_auth_changed
  AFTER UPDATE OF user_id, prefix, hash, scopes, default_ai_personality, expires_at, revoked_at OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION pantheon_auth_key_changed();

CREATE FUNCTION pantheon_auth_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pantheon_auth', OLD.id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER users_auth_changed
  AFTER UPDATE OF email, role, disabled_at OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION pantheon_auth_user_changed();
