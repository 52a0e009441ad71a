// Accounts: users, API tokens, credentials, sessions and the access log.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

const ACCOUNTS_TABLES: &[&str] = &["users", "api_tokens"];

const USERS_LIST: ListSpec<'static> = ListSpec {
    table: "users",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[("x.username", KeyKind::Text)],
};

impl Backend {
    /// Projects the account (users, passwords, API tokens) events; `false` for events of other features.
    async fn project_accounts(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let doc = |v: &dyn erased::Doc| v.doc();
        match event {
            Event::UserCreated(u) | Event::UserUpdated(u) => {
                let u = &User::from(u.clone());
                sqlx::query(
                    "INSERT INTO users (id, username, agency_id, active, version, doc, agency_path, agency_domain) \
                     VALUES ($1, $2, $3, $4, $5, $6, (SELECT path FROM agencies WHERE id = $3), (SELECT domain FROM agencies WHERE id = $3)) \
                     ON CONFLICT (id) DO UPDATE SET username = excluded.username, agency_id = excluded.agency_id, \
                     active = excluded.active, version = excluded.version, doc = excluded.doc, \
                     agency_path = excluded.agency_path, agency_domain = excluded.agency_domain",
                )
                .bind(u.id.to_string())
                .bind(u.username.as_str())
                .bind(u.agency_id.to_string())
                .bind(u.active)
                .bind(version)
                .bind(doc(u))
                .execute(&mut **tx)
                .await
                .map_err(map_unique)?;
            }
            Event::PasswordChanged { user_id } | Event::PasswordReset { user_id } => {
                sqlx::query("UPDATE users SET version = $1 WHERE id = $2")
                    .bind(version)
                    .bind(user_id.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
            Event::ApiTokenIssued(t) => {
                let t = &ApiToken::from(t.clone());
                sqlx::query(
                    "INSERT INTO api_tokens (id, agency_id, revoked, doc) VALUES ($1, $2, $3, $4)",
                )
                .bind(t.id.to_string())
                .bind(t.agency_id.to_string())
                .bind(t.revoked)
                .bind(doc(t))
                .execute(&mut **tx)
                .await?;
            }
            Event::ApiTokenRevoked { token_id } => {
                let row = sqlx::query("SELECT doc FROM api_tokens WHERE id = $1")
                    .bind(token_id.to_string())
                    .fetch_one(&mut **tx)
                    .await?;
                let current: ApiToken = decode(&row.try_get::<String, _>("doc")?)?;
                let t = ApiToken::evolve(Some(current), event)
                    .ok_or_else(|| StoreError::Corrupt(format!("token {token_id}")))?;
                sqlx::query("UPDATE api_tokens SET revoked = $1, doc = $2 WHERE id = $3")
                    .bind(t.revoked)
                    .bind(doc(&t))
                    .bind(token_id.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A command's secrets (password and token hashes): written with its events, never events.
    async fn apply_side_effects(
        tx: &mut sqlx::Transaction<'static, Db>,
        side_effects: &[SideEffect],
    ) -> Result<()> {
        for side in side_effects {
            match side {
                SideEffect::SetPasswordHash {
                    user_id,
                    hash,
                    must_change,
                } => {
                    sqlx::query(
                        "INSERT INTO credentials (user_id, password_hash, failed_attempts, locked_until, must_change) VALUES ($1, $2, 0, 0, $3) \
                         ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, failed_attempts = 0, locked_until = 0, must_change = excluded.must_change",
                    )
                    .bind(user_id.to_string())
                    .bind(hash.as_str())
                    .bind(*must_change)
                    .execute(&mut **tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO password_history (user_id, password_hash, set_at) VALUES ($1, $2, $3)",
                    )
                    .bind(user_id.to_string())
                    .bind(hash.as_str())
                    .bind(now_micros())
                    .execute(&mut **tx)
                    .await?;
                    // The user's own change frees the session that made it (the others end
                    // with it, `EndSessions`).
                    if !*must_change {
                        sqlx::query("UPDATE sessions SET must_change = FALSE WHERE user_id = $1")
                            .bind(user_id.to_string())
                            .execute(&mut **tx)
                            .await?;
                    }
                }
                SideEffect::SetTokenHash { token_id, hash } => {
                    sqlx::query("INSERT INTO token_secrets (token_id, token_hash) VALUES ($1, $2)")
                        .bind(token_id.to_string())
                        .bind(hash.as_str())
                        .execute(&mut **tx)
                        .await
                        .map_err(map_unique)?;
                }
                SideEffect::EndSessions { user_id, except } => {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                        .bind(user_id.to_string())
                        .bind(except.as_deref().unwrap_or(""))
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn user(&self, id: Uuid) -> Result<Option<(User, i64)>> {
        self.doc_with_version("SELECT doc, version FROM users WHERE id = $1", id)
            .await
    }

    pub(crate) async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        Ok(self
            .docs(
                "SELECT doc FROM users WHERE username = $1",
                &[Arg::Text(username.to_string())],
            )
            .await?
            .pop())
    }

    /// Users in scope, by agency and then username (`q` is not offered for users).
    pub(crate) async fn users(&self, scope: &Scope, page: &Page) -> Result<List<User>> {
        let spec = USERS_LIST;
        self.keyset(scope, &spec, &[], page).await
    }

    pub(crate) async fn tokens(&self, scope: &Scope) -> Result<Vec<TokenRow>> {
        self.token_rows(
            &format!("SELECT x.doc, s.last_used_at FROM api_tokens x JOIN agencies a ON a.id = x.agency_id \
                      LEFT JOIN token_secrets s ON s.token_id = x.id WHERE {SCOPE_SQL} ORDER BY x.id"),
            &scope_args(scope),
        )
        .await
    }

    pub(crate) async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>> {
        Ok(self
            .token_rows(
                "SELECT t.doc, s.last_used_at FROM api_tokens t JOIN token_secrets s ON s.token_id = t.id WHERE s.token_hash = $1",
                &[Arg::Text(hash.to_string())],
            )
            .await?
            .pop())
    }

    async fn token_rows(&self, sql: &str, args: &[Arg]) -> Result<Vec<TokenRow>> {
        let rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql.to_string())), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenRow {
                    token: decode(&r.try_get::<String, _>(0)?)?,
                    last_used_at: r.try_get(1)?,
                })
            })
            .collect()
    }

    pub(crate) async fn touch_token(&self, token_id: Uuid, now: i64) -> Result<()> {
        let _gate = self.gate().await;
        sqlx::query("UPDATE token_secrets SET last_used_at = $1 WHERE token_id = $2")
            .bind(now)
            .bind(token_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn credential(&self, user_id: Uuid) -> Result<Option<Credential>> {
        let row = sqlx::query("SELECT password_hash, failed_attempts, locked_until, must_change FROM credentials WHERE user_id = $1")
            .bind(user_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            None => None,
            Some(r) => Some(Credential {
                user_id,
                password_hash: r.try_get(0)?,
                failed_attempts: r.try_get(1)?,
                locked_until: r.try_get(2)?,
                must_change: r.try_get(3)?,
            }),
        })
    }

    /// Counts a failed sign-in; at `max_attempts` the account locks for `lock_micros`.
    pub(crate) async fn record_login_failure(
        &self,
        user_id: Uuid,
        max_attempts: i64,
        lock_micros: i64,
    ) -> Result<Credential> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE credentials SET failed_attempts = CASE WHEN locked_until > 0 AND locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END, \
             locked_until = CASE WHEN locked_until > 0 AND locked_until <= $2 THEN 0 ELSE locked_until END WHERE user_id = $1",
        )
        .bind(user_id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE credentials SET locked_until = $2 WHERE user_id = $1 AND failed_attempts >= $3 AND locked_until = 0")
            .bind(user_id.to_string())
            .bind(now + lock_micros)
            .bind(max_attempts)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.credential(user_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("credential vanished".into()))
    }

    /// The hashes of the user's last `n` passwords, newest first (the current one included).
    pub(crate) async fn recent_password_hashes(&self, user_id: Uuid, n: i64) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id.to_string())
        .bind(n)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    pub(crate) async fn reset_login_failures(&self, user_id: Uuid) -> Result<()> {
        sqlx::query(
            "UPDATE credentials SET failed_attempts = 0, locked_until = 0 WHERE user_id = $1",
        )
        .bind(user_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Of these users, those whose sign-in is locked at `now` (microseconds), with until when.
    pub(crate) async fn locked_users(
        &self,
        ids: &[Uuid],
        now: i64,
    ) -> Result<std::collections::HashMap<Uuid, i64>> {
        let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(100) {
            let marks: Vec<String> = (2..=chunk.len() + 1).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT user_id, locked_until FROM credentials WHERE locked_until > $1 AND user_id IN ({})",
                marks.join(", ")
            );
            let args: Vec<Arg> = std::iter::once(Arg::Int(now))
                .chain(chunk.iter().cloned().map(Arg::Text))
                .collect();
            for r in bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(&self.pool)
                .await?
            {
                out.insert(uuid_of(&r.try_get::<String, _>(0)?)?, r.try_get(1)?);
            }
        }
        Ok(out)
    }

    pub(crate) async fn create_session(
        &self,
        id_hash: &str,
        user_id: Uuid,
        csrf: &str,
        must_change: bool,
    ) -> Result<()> {
        let now = now_micros();
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen, must_change) VALUES ($1, $2, $3, $4, $4, $5)")
            .bind(id_hash)
            .bind(user_id.to_string())
            .bind(csrf)
            .bind(now)
            .bind(must_change)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT user_id, csrf, created_at, last_seen, must_change FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            None => None,
            Some(r) => Some(SessionRow {
                user_id: uuid_of(&r.try_get::<String, _>(0)?)?,
                csrf: r.try_get(1)?,
                created_at: r.try_get(2)?,
                last_seen: r.try_get(3)?,
                must_change: r.try_get(4)?,
            }),
        })
    }

    pub(crate) async fn touch_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now_micros())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn delete_user_sessions(&self, user_id: Uuid) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Appends a batch of access-log entries in one transaction (the access writer's commit).
    /// On SQLite it takes the write gate like the event writer, so the two queue in process
    /// instead of spinning on the database lock.
    pub(crate) async fn log_access_batch(&self, entries: &[AccessEntry]) -> Result<()> {
        let _gate = self.gate().await;
        let mut tx = self.begin_write().await?;
        <Db as crate::bulk::Bulk>::insert_access(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn access_log(
        &self,
        scope: &Scope,
        q: &AccessQuery,
    ) -> Result<Vec<AccessRecord>> {
        // Scope by the subtree of the reader (auditors sit at governments and justice bureaus,
        // whose scope is a subtree). Entries with no account belong to the platform as a whole:
        // shown only to a reader whose scope is everything — the whole tree, or the subtree of
        // the only root agency (with several provinces on one platform, none of them).
        let upper = prefix_upper_bound(&scope.subtree).unwrap_or_else(|| "\u{10FFFF}".into());
        let mut args = vec![Arg::Text(scope.subtree.clone()), Arg::Text(upper)];
        let whole_platform = scope.subtree == "/"
            || (scope.subtree.trim_matches('/').split('/').count() == 1
                && self
                    .count("SELECT COUNT(*) FROM agencies WHERE parent_id IS NULL", &[])
                    .await?
                    == 1);
        let mut sql = format!(
            "SELECT id, at, user_id, username, action, target, status, client, agency_path FROM access_log \
             WHERE ((agency_path >= $1 AND agency_path < $2){})",
            if whole_platform { " OR agency_path IS NULL" } else { "" }
        );
        let mut cond = |column: &str, op: &str, a: Arg| {
            args.push(a);
            sql.push_str(&format!(" AND {column} {op} ${}", args.len()));
        };
        if let Some(v) = &q.username {
            cond("username", "=", Arg::Text(v.clone()));
        }
        if let Some(v) = &q.action {
            cond("action", "=", Arg::Text(v.clone()));
        }
        if let Some(v) = &q.client {
            cond("client", "=", Arg::Text(v.clone()));
        }
        if let Some(v) = q.status {
            cond("status", "=", Arg::Int(v));
        }
        if let Some(v) = q.from {
            cond("at", ">=", Arg::Int(v));
        }
        if let Some(v) = q.until {
            cond("at", "<", Arg::Int(v));
        }
        if let Some(v) = q.before {
            cond("id", "<", Arg::Int(v));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", q.limit.clamp(1, 5000)));
        let rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let uid: Option<String> = r.try_get(2)?;
                Ok(AccessRecord {
                    id: r.try_get(0)?,
                    entry: AccessEntry {
                        at: r.try_get(1)?,
                        user_id: uid.map(|u| uuid_of(&u)).transpose()?,
                        username: r.try_get(3)?,
                        action: r.try_get(4)?,
                        target: r.try_get(5)?,
                        status: r.try_get(6)?,
                        client: r.try_get(7)?,
                        agency_path: r.try_get(8)?,
                    },
                })
            })
            .collect()
    }
}
