// Enforcement cases (REC-1): the projection of a case's events and the scoped reads of the work
// list and the case page. Part of the backend: `include!`d by backend.rs (compiled once per
// engine).

const CASES_TABLES: &[&str] = &["cases"];

const CASES_LIST: ListSpec<'static> = ListSpec {
    table: "cases",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[
        ("x.open_rank", KeyKind::Int),
        ("x.filed_on", KeyKind::Text),
        ("x.id", KeyKind::Text),
    ],
};

impl Backend {
    /// Projects one case event on its own (the isolated path and rebuilds); `false` for events
    /// of other features.
    async fn project_cases(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let mut staged = Folded::default();
        if !Self::stage_cases(tx, &mut staged, event, version).await? {
            return Ok(false);
        }
        Self::flush_cases(tx, &mut staged).await?;
        Ok(true)
    }

    /// Folds a case event into the batch's staged cases by the domain's `evolve` (reading the
    /// case's row the first time the batch touches it), so the row holds exactly what the rules
    /// decide on; `false` for events of other features.
    async fn stage_cases(
        tx: &mut sqlx::Transaction<'static, Db>,
        staged: &mut Folded<Case>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        use zhifa_domain::event::Aggregate;
        let Some(case_id) = event.case_id() else {
            return Ok(false);
        };
        // The numbering stream's event has no row of its own: the case carries its number.
        if matches!(event, Event::CaseNumberTaken { .. }) {
            return Ok(true);
        }
        let current: Option<Case> = match (staged.take(case_id), event) {
            (Some(c), _) => Some(c),
            (None, Event::CaseFiled(_)) => None,
            (None, _) => {
                let row = sqlx::query("SELECT doc FROM cases WHERE id = $1")
                    .bind(case_id.to_string())
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt(format!("case {case_id} is not filed")))?;
                Some(decode(&row.try_get::<String, _>(0)?)?)
            }
        };
        let c = Case::evolve(current, event)
            .ok_or_else(|| StoreError::Corrupt(format!("case {case_id}: nothing to fold")))?;
        staged.put(case_id, c, version);
        Ok(true)
    }

    /// Writes every staged case: one statement for the batch (`bulk_cases.rs`), the plain
    /// one-row statement for a lone case.
    async fn flush_cases(
        tx: &mut sqlx::Transaction<'static, Db>,
        staged: &mut Folded<Case>,
    ) -> Result<()> {
        match staged.drain().as_slice() {
            [] => Ok(()),
            [(c, version)] => Self::put_case(tx, c, *version).await,
            many => {
                let rows: Vec<_> = many.iter().map(|(c, v)| case_row(c, *v)).collect();
                <Db as crate::bulk_cases::BulkCases>::upsert_cases(&mut **tx, &rows)
                    .await
                    .map_err(map_unique)
            }
        }
    }

    async fn put_case(
        tx: &mut sqlx::Transaction<'static, Db>,
        c: &Case,
        version: i64,
    ) -> Result<()> {
        let r = case_row(c, version);
        sqlx::query(
            "INSERT INTO cases (id, agency_id, agency_path, agency_domain, case_no, year, number, stage, \
             open_rank, filed_on, version, doc) \
             VALUES ($1, $2, (SELECT path FROM agencies WHERE id = $2), (SELECT domain FROM agencies WHERE id = $2), \
             $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (id) DO UPDATE SET stage = excluded.stage, open_rank = excluded.open_rank, \
             version = excluded.version, doc = excluded.doc",
        )
        .bind(r.id)
        .bind(r.agency_id)
        .bind(r.case_no)
        .bind(r.year)
        .bind(r.number)
        .bind(r.stage)
        .bind(r.open_rank)
        .bind(r.filed_on)
        .bind(r.version)
        .bind(r.doc)
        .execute(&mut **tx)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    pub(crate) async fn case(&self, id: Uuid) -> Result<Option<(Case, i64)>> {
        self.doc_with_version("SELECT doc, version FROM cases WHERE id = $1", id)
            .await
    }

    pub(crate) async fn case_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM cases")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    pub(crate) async fn database_bytes(&self) -> Result<i64> {
        let sql = if IS_PG {
            "SELECT pg_database_size(current_database())::BIGINT"
        } else {
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        };
        Ok(sqlx::query(sql).fetch_one(&self.pool).await?.try_get(0)?)
    }

    /// Cases in scope: open ones first, the oldest filing first.
    pub(crate) async fn cases(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: &Page,
    ) -> Result<List<Case>> {
        let mut conds = Vec::new();
        if let Some(id) = filter.agency_id {
            conds.push(Cond::new("x.agency_id = ?", vec![Arg::Text(id.to_string())]));
        }
        if filter.open_only {
            conds.push(Cond::new("x.open_rank = 0", vec![]));
        }
        let spec = CASES_LIST;
        self.keyset(scope, &spec, &conds, page).await
    }
}

/// A case as its row stores it: closed and archived cases rank after the open ones.
fn case_row(c: &Case, version: i64) -> crate::bulk_cases::CaseRow {
    let stage = c.stage();
    crate::bulk_cases::CaseRow {
        id: c.id.to_string(),
        agency_id: c.agency_id.to_string(),
        case_no: c.case_no.clone(),
        year: i64::from(c.year),
        number: i64::from(c.number),
        stage: stage_key(stage),
        open_rank: i64::from(stage >= zhifa_domain::case::Stage::Closed),
        filed_on: c
            .progress
            .filed_on
            .map(zhifa_domain::registry::format_date)
            .unwrap_or_default(),
        version,
        doc: serde_json::to_string(c).expect("cases serialise"),
    }
}

/// The stage as stored (and as the API names it).
fn stage_key(s: zhifa_domain::case::Stage) -> &'static str {
    use zhifa_domain::case::Stage::*;
    match s {
        Filed => "filed",
        Investigation => "investigation",
        Decision => "decision",
        Service => "service",
        Execution => "execution",
        Closed => "closed",
        Archived => "archived",
    }
}
