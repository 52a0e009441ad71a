// Evidence files (REC-3, REC-4): projection and scoped reads.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

const EVIDENCE_TABLES: &[&str] = &["evidence"];

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
                    "INSERT INTO evidence (id, agency_id, kind, hash, late, received_at, version, doc) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
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

    pub(crate) async fn evidence_list(
        &self,
        scope: &Scope,
        filter: &EvidenceFilter,
        page: &Page,
    ) -> Result<(Vec<Evidence>, i64)> {
        let mut cond = String::new();
        let mut extra = Vec::new();
        if let Some(id) = filter.agency_id {
            extra.push(Arg::Text(id.to_string()));
            cond.push_str(&format!(" AND x.agency_id = ${}", 3 + extra.len()));
        }
        if let Some(kind) = &filter.kind {
            extra.push(Arg::Text(kind.clone()));
            cond.push_str(&format!(" AND x.kind = ${}", 3 + extra.len()));
        }
        if filter.late_only {
            cond.push_str(" AND x.late");
        }
        self.paged(
            scope,
            &format!("FROM (SELECT evidence.*, doc AS search FROM evidence) x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL}{cond}"),
            extra,
            "x.received_at DESC, x.id",
            page,
        )
        .await
    }
}
