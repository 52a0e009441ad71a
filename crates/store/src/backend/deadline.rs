// Deadlines (DL-1…DL-4), imported holiday notices and PUB-9 annual reports.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

const DEADLINE_TABLES: &[&str] = &["deadlines", "calendar_notices", "annual_reports"];

const DEADLINES_LIST: ListSpec<'static> = ListSpec {
    table: "deadlines",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[("x.due_key", KeyKind::Text), ("x.id", KeyKind::Text)],
};

impl Backend {
    /// Stages a deadline's own events (opened and every later transition, folded by the
    /// domain's `Deadline::evolve`); `false` for every other event, projected on its own.
    async fn stage_deadlines(
        tx: &mut sqlx::Transaction<'static, Db>,
        staged: &mut Folded<Deadline>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let id = match event {
            Event::DeadlineOpened(d) => d.id,
            Event::DeadlineRecomputed { deadline_id, .. }
            | Event::DeadlineMissed { deadline_id, .. }
            | Event::DeadlineMet { deadline_id, .. }
            | Event::DeadlineSuspended { deadline_id, .. }
            | Event::DeadlineResumed { deadline_id, .. }
            | Event::DeadlineExtended { deadline_id, .. } => *deadline_id,
            _ => return Ok(false),
        };
        let d = match (staged.take(id), event) {
            // A new stream (the log refuses a second opening).
            (_, Event::DeadlineOpened(d)) => Deadline::from(d.clone()),
            (Some(d), _) => d.evolve(event),
            (None, _) => Self::deadline_in(tx, id).await?.evolve(event),
        };
        staged.put(id, d, version);
        Ok(true)
    }

    /// Writes every staged deadline: one statement for the batch (`bulk_cases.rs`), the plain
    /// one-row statement for a lone one.
    async fn flush_deadlines(
        tx: &mut sqlx::Transaction<'static, Db>,
        staged: &mut Folded<Deadline>,
    ) -> Result<()> {
        match staged.drain().as_slice() {
            [] => Ok(()),
            [(d, version)] => Self::put_deadline(tx, d, *version).await,
            many => {
                let rows: Vec<_> = many.iter().map(|(d, v)| deadline_row(d, *v)).collect();
                <Db as crate::bulk_cases::BulkCases>::upsert_deadlines(&mut **tx, &rows).await?;
                Ok(())
            }
        }
    }

    /// Projects the deadline, holiday-notice and annual-report events; `false` for events of
    /// other features.
    async fn project_deadline(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let doc = |v: &dyn erased::Doc| v.doc();
        match event {
            Event::DeadlineOpened(d) => {
                Self::put_deadline(tx, &Deadline::from(d.clone()), version).await?
            }
            // Every later event of a deadline's stream: the domain's state transition decides
            // what it changes, so the projection cannot drift from the rules.
            Event::DeadlineRecomputed { deadline_id, .. }
            | Event::DeadlineMissed { deadline_id, .. }
            | Event::DeadlineMet { deadline_id, .. }
            | Event::DeadlineSuspended { deadline_id, .. }
            | Event::DeadlineResumed { deadline_id, .. }
            | Event::DeadlineExtended { deadline_id, .. } => {
                let d = Self::deadline_in(tx, *deadline_id).await?.evolve(event);
                Self::put_deadline(tx, &d, version).await?;
            }
            Event::HolidayNoticeImported {
                year,
                documents,
                text,
            } => {
                let doc = serde_json::json!({"year": year, "documents": documents, "text": text})
                    .to_string();
                sqlx::query(
                    "INSERT INTO calendar_notices (year, doc) VALUES ($1, $2) \
                     ON CONFLICT (year) DO UPDATE SET doc = excluded.doc",
                )
                .bind(i64::from(*year))
                .bind(doc)
                .execute(&mut **tx)
                .await?;
            }
            Event::AnnualReportPublished(r) => {
                let r = &AnnualReport::from(r.clone());
                sqlx::query(
                    "INSERT INTO annual_reports (agency_id, year, doc) VALUES ($1, $2, $3)",
                )
                .bind(r.agency_id.to_string())
                .bind(i64::from(r.year))
                .bind(doc(r))
                .execute(&mut **tx)
                .await?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    async fn deadline_in(tx: &mut sqlx::Transaction<'static, Db>, id: Uuid) -> Result<Deadline> {
        let row = sqlx::query("SELECT doc FROM deadlines WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut **tx)
            .await?;
        decode(&row.try_get::<String, _>("doc")?)
    }

    async fn put_deadline(
        tx: &mut sqlx::Transaction<'static, Db>,
        d: &Deadline,
        version: i64,
    ) -> Result<()> {
        let r = deadline_row(d, version);
        sqlx::query(
            "INSERT INTO deadlines (id, agency_id, rule_id, subject, status, due_date, provisional, first_year, last_year, version, doc, \
             agency_path, agency_domain, due_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT path FROM agencies WHERE id = $2), \
             (SELECT domain FROM agencies WHERE id = $2), COALESCE($6, '9999-99-99')) \
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, due_date = excluded.due_date, provisional = excluded.provisional, \
             first_year = excluded.first_year, last_year = excluded.last_year, version = excluded.version, doc = excluded.doc, \
             due_key = excluded.due_key",
        )
        .bind(r.id)
        .bind(r.agency_id)
        .bind(r.rule_id)
        .bind(r.subject)
        .bind(r.status)
        .bind(r.due_date)
        .bind(r.provisional)
        .bind(r.first_year)
        .bind(r.last_year)
        .bind(r.version)
        .bind(r.doc)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    // ───────────────────────── deadlines, notices, reports ─────────────────────────

    pub(crate) async fn deadline(&self, id: Uuid) -> Result<Option<(Deadline, i64)>> {
        self.doc_with_version("SELECT doc, version FROM deadlines WHERE id = $1", id)
            .await
    }

    /// Deadlines in scope, by agency and then due date (undated last). `q` is not offered for
    /// deadlines (their console page and API have no text filter).
    pub(crate) async fn deadlines(
        &self,
        scope: &Scope,
        filter: &DeadlineFilter,
        page: &Page,
    ) -> Result<List<Deadline>> {
        let mut conds = Vec::new();
        if let Some(id) = filter.agency_id {
            conds.push(Cond::new("x.agency_id = ?", vec![Arg::Text(id.to_string())]));
        }
        if !filter.statuses.is_empty() {
            let marks = vec!["?"; filter.statuses.len()].join(", ");
            // `+x.status` on SQLite: the status index (for the sweep) must not displace the
            // scope index, which also gives the page's order.
            conds.push(Cond::new(
                &format!("{}x.status IN ({marks})", if IS_PG { "" } else { "+" }),
                filter.statuses.iter().cloned().map(Arg::Text).collect(),
            ));
        }
        if let Some(day) = &filter.due_on_or_before {
            conds.push(Cond::new("x.due_date <= ?", vec![Arg::Text(day.clone())]));
        }
        let spec = DEADLINES_LIST;
        self.keyset(scope, &spec, &conds, page).await
    }

    /// Open or missed deadlines whose due date was computed without `year`'s notice.
    pub(crate) async fn deadlines_depending_on(&self, year: i32) -> Result<Vec<(Deadline, i64)>> {
        let rows = sqlx::query(
            "SELECT doc, version FROM deadlines WHERE provisional = $1 AND first_year <= $2 AND last_year >= $2 \
             AND status IN ('open', 'missed') ORDER BY id",
        )
        .bind(true)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((decode(&r.try_get::<String, _>(0)?)?, r.try_get(1)?)))
            .collect()
    }

    /// DL-1: open or missed deadlines a notice import for `year` may change — computed
    /// provisionally over `year`, or (provisional or not: an amended notice changes official
    /// years) over any of `changed_years`, the years whose working days the import changed.
    /// The caller narrows them with `ImportReport::affects` and recomputes.
    pub(crate) async fn deadlines_affected_by_notice(
        &self,
        year: i32,
        changed_years: &[i32],
    ) -> Result<Vec<(Deadline, i64)>> {
        let mut cond = vec!["(provisional = $1 AND first_year <= $2 AND last_year >= $2)".to_string()];
        let mut args = vec![Arg::Int(i64::from(year))];
        for y in changed_years {
            args.push(Arg::Int(i64::from(*y)));
            let n = args.len() + 1;
            cond.push(format!("(first_year <= ${n} AND last_year >= ${n})"));
        }
        let sql = format!(
            "SELECT doc, version FROM deadlines WHERE ({}) AND status IN ('open', 'missed') ORDER BY id",
            cond.join(" OR ")
        );
        let rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(true), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((decode(&r.try_get::<String, _>(0)?)?, r.try_get(1)?)))
            .collect()
    }

    /// Open deadlines whose last day is `day` or earlier (candidates for "missed").
    pub(crate) async fn open_deadlines_due_by(&self, day: &str) -> Result<Vec<(Deadline, i64)>> {
        let rows = sqlx::query(
            "SELECT doc, version FROM deadlines WHERE status = 'open' AND due_date <= $1 ORDER BY due_date, id LIMIT 10000",
        )
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((decode(&r.try_get::<String, _>(0)?)?, r.try_get(1)?)))
            .collect()
    }

    /// Every deadline of `subject` (a case's: decision, service, payment…), oldest first.
    pub(crate) async fn deadlines_of(&self, subject: &str) -> Result<Vec<(Deadline, i64)>> {
        let rows = sqlx::query("SELECT doc, version FROM deadlines WHERE subject = $1 ORDER BY id")
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((decode(&r.try_get::<String, _>("doc")?)?, r.try_get("version")?)))
            .collect()
    }

    pub(crate) async fn deadlines_of_subject(
        &self,
        subject: &str,
        rule_id: &str,
    ) -> Result<Vec<(Deadline, i64)>> {
        let rows = sqlx::query(
            "SELECT doc, version FROM deadlines WHERE subject = $1 AND rule_id = $2 ORDER BY id",
        )
        .bind(subject)
        .bind(rule_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((decode(&r.try_get::<String, _>(0)?)?, r.try_get(1)?)))
            .collect()
    }

    pub(crate) async fn notices(&self) -> Result<Vec<NoticeRecord>> {
        self.docs("SELECT doc FROM calendar_notices ORDER BY year", &[])
            .await
    }

    pub(crate) async fn annual_reports(&self, agency_id: Uuid) -> Result<Vec<AnnualReport>> {
        self.docs(
            "SELECT doc FROM annual_reports WHERE agency_id = $1 ORDER BY year DESC",
            &[Arg::Text(agency_id.to_string())],
        )
        .await
    }
}

/// A deadline as its row stores it.
fn deadline_row(d: &Deadline, version: i64) -> crate::bulk_cases::DeadlineRow {
    crate::bulk_cases::DeadlineRow {
        id: d.id.to_string(),
        agency_id: d.agency_id.to_string(),
        rule_id: d.rule_id.clone(),
        subject: d.subject.clone(),
        status: d.status.as_str(),
        due_date: d.due.date.map(zhifa_domain::registry::format_date),
        provisional: d.due.provisional,
        first_year: i64::from(d.due.first_notice_year),
        last_year: i64::from(d.due.last_notice_year),
        version,
        doc: erased::Doc::doc(d),
    }
}
