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
    /// Projects the case events; `false` for events of other features. Each event folds into
    /// the case by the domain's `evolve`, so the row holds exactly what the rules decide on.
    async fn project_cases(
        tx: &mut sqlx::Transaction<'static, Db>,
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
        let current: Option<Case> = match event {
            Event::CaseFiled(_) => None,
            _ => {
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
        let stage = c.stage();
        let open_rank = i64::from(stage >= zhifa_domain::case::Stage::Closed);
        let filed_on = c
            .progress
            .filed_on
            .map(zhifa_domain::registry::format_date)
            .unwrap_or_default();
        let doc = serde_json::to_string(&c).expect("cases serialise");
        sqlx::query(
            "INSERT INTO cases (id, agency_id, agency_path, agency_domain, case_no, year, number, stage, \
             open_rank, filed_on, version, doc) \
             VALUES ($1, $2, (SELECT path FROM agencies WHERE id = $2), (SELECT domain FROM agencies WHERE id = $2), \
             $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (id) DO UPDATE SET stage = excluded.stage, open_rank = excluded.open_rank, \
             version = excluded.version, doc = excluded.doc",
        )
        .bind(c.id.to_string())
        .bind(c.agency_id.to_string())
        .bind(c.case_no.as_str())
        .bind(i64::from(c.year))
        .bind(i64::from(c.number))
        .bind(stage_key(stage))
        .bind(open_rank)
        .bind(filed_on)
        .bind(version)
        .bind(doc)
        .execute(&mut **tx)
        .await
        .map_err(map_unique)?;
        Ok(true)
    }

    pub(crate) async fn case(&self, id: Uuid) -> Result<Option<(Case, i64)>> {
        self.doc_with_version("SELECT doc, version FROM cases WHERE id = $1", id)
            .await
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
