// Evidence files (REC-3, REC-4): projection and scoped reads.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

const EVIDENCE_TABLES: &[&str] = &["evidence"];

const EVIDENCE_LIST: ListSpec<'static> = ListSpec {
    table: "evidence",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[("x.received_rank", KeyKind::Int), ("x.id", KeyKind::Text)],
};

impl Backend {
    /// Projects the evidence events; `false` for events of other features.
    async fn project_evidence(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let doc = |v: &dyn erased::Doc| v.doc();
        match event {
            Event::EvidenceReceived(e) => {
                let e = &Evidence::from(e.clone());
                sqlx::query(
                    "INSERT INTO evidence (id, agency_id, kind, hash, late, received_at, version, doc, \
                     agency_path, agency_domain, received_rank, search) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT path FROM agencies WHERE id = $2), \
                     (SELECT domain FROM agencies WHERE id = $2), -$6, $8)",
                )
                .bind(e.id.to_string())
                .bind(e.agency_id.to_string())
                .bind(e.kind.as_str())
                .bind(e.hash.as_str())
                .bind(e.late)
                .bind((e.received_at.unix_timestamp_nanos() / 1000) as i64)
                .bind(version)
                .bind(doc(e))
                .execute(&mut **tx)
                .await?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub(crate) async fn evidence(&self, id: Uuid) -> Result<Option<(Evidence, i64)>> {
        self.doc_with_version("SELECT doc, version FROM evidence WHERE id = $1", id)
            .await
    }

    /// Evidence in scope, by agency and then newest first.
    pub(crate) async fn evidence_list(
        &self,
        scope: &Scope,
        filter: &EvidenceFilter,
        page: &Page,
    ) -> Result<List<Evidence>> {
        let mut conds = Vec::new();
        if let Some(id) = filter.agency_id {
            conds.push(Cond::new("x.agency_id = ?", vec![Arg::Text(id.to_string())]));
        }
        if let Some(kind) = &filter.kind {
            conds.push(Cond::new("x.kind = ?", vec![Arg::Text(kind.clone())]));
        }
        if filter.late_only {
            conds.push(Cond::new("x.late", vec![]));
        }
        conds.extend(Self::search_cond("evidence", None, page.q.as_deref()));
        let spec = EVIDENCE_LIST;
        self.keyset(scope, &spec, &conds, page).await
    }
}
