// Registry (REG-1…REG-6): agencies, officers, power-list items and their versions, inspection
// items, service guides, discretion benchmarks — projections and scoped reads.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

const REGISTRY_TABLES: &[&str] = &["agencies",
    "officers",
    "items",
    "item_versions",
    "inspection_items",
    "service_guides",
    "discretion_benchmarks",
    "counts",];

const AGENCIES_LIST: ListSpec<'static> = ListSpec {
    table: "agencies",
    path: "x.path",
    domain: "x.domain",
    keys: &[],
};
const OFFICERS_LIST: ListSpec<'static> = ListSpec {
    table: "officers",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[("x.certificate_no", KeyKind::Text)],
};
const ITEMS_LIST: ListSpec<'static> = ListSpec {
    table: "items",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[("x.code", KeyKind::Text)],
};
const INSPECTION_LIST: ListSpec<'static> = ListSpec {
    table: "inspection_items",
    path: "x.agency_path",
    domain: "x.agency_domain",
    keys: &[("x.id", KeyKind::Text)],
};

/// Registry rows a batch writes together (see `Backend::project_staged`).
#[derive(Default)]
struct RegistryStaged {
    officers: Vec<(Officer, i64)>,
    ids: std::collections::HashSet<Uuid>,
}

impl Backend {
    /// Projects the registry (agencies, officers, power list, inspection, guides, benchmarks) events; `false` for events of other features.
    async fn project_registry(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let doc = |v: &dyn erased::Doc| v.doc();
        match event {
            Event::AgencyRegistered(a) | Event::AgencyUpdated(a) => {
                let a = &Agency::from(a.clone());
                sqlx::query(
                    "INSERT INTO agencies (id, name, credit_code, level, division_code, parent_id, domain, path, version, doc, search) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $2 || ' ' || $3 || ' ' || $5) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, credit_code = excluded.credit_code, level = excluded.level, \
                     division_code = excluded.division_code, domain = excluded.domain, version = excluded.version, doc = excluded.doc, \
                     search = excluded.search",
                )
                .bind(a.id.to_string())
                .bind(a.name.as_str())
                .bind(a.credit_code.as_str())
                .bind(a.level.as_str())
                .bind(a.division_code.as_str())
                .bind(a.parent_id.map(|p| p.to_string()))
                .bind(a.domain.as_str())
                .bind(a.path.as_str())
                .bind(version)
                .bind(doc(a))
                .execute(&mut **tx)
                .await
                .map_err(map_unique)?;
                Self::copy_agency_scope(tx, a).await?;
            }
            Event::OfficerRegistered(o) | Event::OfficerUpdated(o) => {
                Self::put_officer(tx, &Officer::from(o.clone()), version).await?;
            }
            // Later events of an officer's stream: the domain's transition decides the change.
            Event::CertificateStatusChanged { officer_id, .. }
            | Event::TrainingRecorded { officer_id, .. } => {
                let current = Self::officer_in(tx, *officer_id).await?;
                let o = Officer::evolve(Some(current), event)
                    .ok_or_else(|| StoreError::Corrupt(format!("officer {officer_id}")))?;
                Self::put_officer(tx, &o, version).await?;
            }
            Event::ItemVersionPublished(v) => {
                let v = &ItemVersion::from(v.clone());
                let d = doc(v);
                sqlx::query(
                    "INSERT INTO item_versions (item_id, version, agency_id, category, effective_from, repealed, doc) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(v.item_id.to_string())
                .bind(v.version)
                .bind(v.agency_id.to_string())
                .bind(v.category.as_str())
                .bind(zhifa_domain::registry::format_date(v.effective_from))
                .bind(v.repealed)
                .bind(d.clone())
                .execute(&mut **tx)
                .await?;
                Self::put_in_force_periods(tx, v.item_id).await?;
                sqlx::query(
                    "INSERT INTO items (item_id, agency_id, code, name, category, repealed, version, doc, agency_path, agency_domain, search) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT path FROM agencies WHERE id = $2), \
                     (SELECT domain FROM agencies WHERE id = $2), $3 || ' ' || $4) \
                     ON CONFLICT (item_id) DO UPDATE SET agency_id = excluded.agency_id, code = excluded.code, name = excluded.name, \
                     category = excluded.category, repealed = excluded.repealed, version = excluded.version, doc = excluded.doc, \
                     agency_path = excluded.agency_path, agency_domain = excluded.agency_domain, search = excluded.search",
                )
                .bind(v.item_id.to_string())
                .bind(v.agency_id.to_string())
                .bind(v.code.as_str())
                .bind(v.name.as_str())
                .bind(v.category.as_str())
                .bind(v.repealed)
                .bind(version)
                .bind(d)
                .execute(&mut **tx)
                .await
                .map_err(map_unique)?;
            }
            Event::InspectionItemListed(i) => {
                let i = &InspectionItem::from(i.clone());
                sqlx::query(
                    "INSERT INTO inspection_items (id, agency_id, doc, agency_path, agency_domain, search) VALUES ($1, $2, $3, \
                     (SELECT path FROM agencies WHERE id = $2), (SELECT domain FROM agencies WHERE id = $2), $3) \
                     ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id, doc = excluded.doc, \
                     agency_path = excluded.agency_path, agency_domain = excluded.agency_domain, search = excluded.search",
                )
                .bind(i.id.to_string())
                .bind(i.agency_id.to_string())
                .bind(doc(i))
                .execute(&mut **tx)
                .await?;
            }
            Event::ServiceGuideSet(g) => {
                let g = &ServiceGuide::from(g.clone());
                Self::bump_item(tx, g.item_id, version).await?;
                sqlx::query(
                    "INSERT INTO service_guides (item_id, doc) VALUES ($1, $2) \
                     ON CONFLICT (item_id) DO UPDATE SET doc = excluded.doc",
                )
                .bind(g.item_id.to_string())
                .bind(doc(g))
                .execute(&mut **tx)
                .await?;
            }
            Event::DiscretionBenchmarkSet(b) => {
                let b = &DiscretionBenchmark::from(b.clone());
                Self::bump_item(tx, b.item_id, version).await?;
                sqlx::query(
                    "INSERT INTO discretion_benchmarks (item_id, doc) VALUES ($1, $2) \
                     ON CONFLICT (item_id) DO UPDATE SET doc = excluded.doc",
                )
                .bind(b.item_id.to_string())
                .bind(doc(b))
                .execute(&mut **tx)
                .await?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Events on an item's stream that do not change the item itself still advance the version
    /// the next command must expect.
    async fn bump_item(
        tx: &mut sqlx::Transaction<'static, Db>,
        item_id: Uuid,
        version: i64,
    ) -> Result<()> {
        sqlx::query("UPDATE items SET version = $1 WHERE item_id = $2")
            .bind(version)
            .bind(item_id.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn officer_in(tx: &mut sqlx::Transaction<'static, Db>, id: Uuid) -> Result<Officer> {
        let row = sqlx::query("SELECT doc FROM officers WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut **tx)
            .await?;
        decode(&row.try_get::<String, _>("doc")?)
    }

    /// Stores each version's in-force range as the domain computes it (REG-3): a new version
    /// can end an earlier one's range, so every version of the item is rewritten.
    async fn put_in_force_periods(
        tx: &mut sqlx::Transaction<'static, Db>,
        item_id: Uuid,
    ) -> Result<()> {
        let rows = sqlx::query("SELECT doc FROM item_versions WHERE item_id = $1 ORDER BY version")
            .bind(item_id.to_string())
            .fetch_all(&mut **tx)
            .await?;
        let versions = rows
            .iter()
            .map(|r| decode::<ItemVersion>(&r.try_get::<String, _>(0)?))
            .collect::<Result<Vec<_>>>()?;
        let periods = zhifa_domain::registry::in_force_periods(&versions);
        for v in &versions {
            let range = periods.iter().find(|(n, _, _)| *n == v.version);
            sqlx::query(
                "UPDATE item_versions SET in_force_from = $1, in_force_until = $2 WHERE item_id = $3 AND version = $4",
            )
            .bind(range.map(|(_, from, _)| zhifa_domain::registry::format_date(*from)))
            .bind(range.and_then(|(_, _, until)| until.map(zhifa_domain::registry::format_date)))
            .bind(item_id.to_string())
            .bind(v.version)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    async fn put_officer(
        tx: &mut sqlx::Transaction<'static, Db>,
        o: &Officer,
        version: i64,
    ) -> Result<()> {
        Self::put_officers(tx, &[(o, version)]).await
    }

    /// Upserts officer rows in one statement (a batch's registrations, see `stage_registry`;
    /// the engine-specific statement is in `bulk.rs`). The rows' ids are distinct.
    async fn put_officers(
        tx: &mut sqlx::Transaction<'static, Db>,
        rows: &[(&Officer, i64)],
    ) -> Result<()> {
        let rows: Vec<crate::bulk::OfficerRow> = rows
            .iter()
            .map(|(o, version)| crate::bulk::OfficerRow {
                id: o.id.to_string(),
                agency_id: o.agency_id.to_string(),
                name: o.name.clone(),
                certificate_no: o.certificate_no.clone(),
                status: o.status.as_str().to_string(),
                valid_to: zhifa_domain::registry::format_date(o.valid_to),
                version: *version,
                doc: erased::Doc::doc(o),
                search: format!("{} {}", o.name, o.certificate_no),
                // Counted by the last day the certificate lets its holder act (the domain's rule).
                acting_until: o.acting_until().map(zhifa_domain::registry::format_date),
            })
            .collect();
        <Db as crate::bulk::Bulk>::upsert_officers(&mut **tx, &rows)
            .await
            .map_err(map_unique)?;
        Ok(())
    }

    /// Stages a registry event whose projection needs nothing read back (an officer's whole
    /// record), to be written with the batch's others by `flush_registry`; `false` if the event
    /// must be projected on its own (including a second event of an officer already staged).
    fn stage_registry(staged: &mut RegistryStaged, event: &Event, version: i64) -> bool {
        match event {
            Event::OfficerRegistered(o) | Event::OfficerUpdated(o) if staged.ids.insert(o.id) => {
                staged.officers.push((Officer::from(o.clone()), version));
                true
            }
            _ => false,
        }
    }

    async fn flush_registry(
        tx: &mut sqlx::Transaction<'static, Db>,
        staged: &mut RegistryStaged,
    ) -> Result<()> {
        if !staged.officers.is_empty() {
            let rows: Vec<(&Officer, i64)> = staged.officers.iter().map(|(o, v)| (o, *v)).collect();
            Self::put_officers(tx, &rows).await?;
            staged.officers.clear();
            staged.ids.clear();
        }
        Ok(())
    }

    pub(crate) async fn agency(&self, id: Uuid) -> Result<Option<(Agency, i64)>> {
        self.doc_with_version("SELECT doc, version FROM agencies WHERE id = $1", id)
            .await
    }

    pub(crate) async fn agencies(&self, scope: &Scope, page: &Page) -> Result<List<Agency>> {
        let spec = AGENCIES_LIST;
        let conds: Vec<Cond> =
            Self::search_cond("agencies", Some("x.name"), page.q.as_deref()).into_iter().collect();
        self.keyset(scope, &spec, &conds, page).await
    }

    pub(crate) async fn agency_count(&self, scope: &Scope) -> Result<i64> {
        self.count(&format!("SELECT COUNT(*) FROM agencies a WHERE {SCOPE_SQL}"), &scope_args(scope))
            .await
    }

    pub(crate) async fn agency_children(&self, id: Uuid) -> Result<Vec<Agency>> {
        self.docs(
            "SELECT doc FROM agencies WHERE parent_id = $1 ORDER BY division_code, name",
            &[Arg::Text(id.to_string())],
        )
        .await
    }

    pub(crate) async fn officer(&self, id: Uuid) -> Result<Option<(Officer, i64)>> {
        self.doc_with_version("SELECT doc, version FROM officers WHERE id = $1", id)
            .await
    }

    pub(crate) async fn officers(
        &self,
        scope: &Scope,
        filter: &OfficerFilter,
        page: &Page,
    ) -> Result<List<Officer>> {
        let mut conds = Vec::new();
        if let Some(id) = filter.agency_id {
            conds.push(Cond::new("x.agency_id = ?", vec![Arg::Text(id.to_string())]));
        }
        if let Some((from, to)) = &filter.expiring {
            conds.push(Cond::new(
                // Officer::acting_until, stored by the projection: REG-2's rule, not restated.
                "x.acting_until >= ? AND x.acting_until <= ?",
                vec![Arg::Text(from.clone()), Arg::Text(to.clone())],
            ));
        }
        conds.extend(Self::search_cond("officers", Some("x.name"), page.q.as_deref()));
        let spec = OFFICERS_LIST;
        self.keyset(scope, &spec, &conds, page).await
    }

    pub(crate) async fn item(&self, id: Uuid) -> Result<Option<(ItemVersion, i64)>> {
        self.doc_with_version("SELECT doc, version FROM items WHERE item_id = $1", id)
            .await
    }

    pub(crate) async fn item_versions(&self, id: Uuid) -> Result<Vec<ItemVersion>> {
        self.docs(
            "SELECT doc FROM item_versions WHERE item_id = $1 ORDER BY version",
            &[Arg::Text(id.to_string())],
        )
        .await
    }

    pub(crate) async fn items(
        &self,
        scope: &Scope,
        filter: &ItemFilter,
        page: &Page,
    ) -> Result<List<ItemVersion>> {
        self.items_as(scope, filter, page).await
    }

    /// The same list as `items`, each version read only as far as a table row needs.
    pub(crate) async fn item_rows(
        &self,
        scope: &Scope,
        filter: &ItemFilter,
        page: &Page,
    ) -> Result<List<crate::ItemSummary>> {
        self.items_as(scope, filter, page).await
    }

    async fn items_as<T: serde::de::DeserializeOwned>(
        &self,
        scope: &Scope,
        filter: &ItemFilter,
        page: &Page,
    ) -> Result<List<T>> {
        let mut conds = Vec::new();
        if let Some(c) = &filter.category {
            conds.push(Cond::new("x.category = ?", vec![Arg::Text(c.clone())]));
        }
        if let Some(a) = filter.agency_id {
            conds.push(Cond::new("x.agency_id = ?", vec![Arg::Text(a.to_string())]));
        }
        let not_repealed = if IS_PG { "NOT x.repealed" } else { "x.repealed = 0" };
        match &filter.as_of {
            // The version in force on a date: the version whose in-force range (the domain's
            // `in_force_periods`, stored by the projection) covers it, unless it repealed the
            // item. Keyed by (agency path, item id).
            Some(day) => {
                conds.push(Cond::new(
                    &format!(
                        "{not_repealed} AND x.in_force_from <= ? AND (x.in_force_until IS NULL OR x.in_force_until > ?)"
                    ),
                    vec![Arg::Text(day.clone()), Arg::Text(day.clone())],
                ));
                if let Some(q) = page.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                    conds.push(Cond::new(
                        "x.doc LIKE ?",
                        vec![Arg::Text(format!("%{}%", q.replace(['%', '_'], "")))],
                    ));
                }
                let spec = ListSpec {
                    table: "(SELECT v.*, a.path AS agency_path, a.domain AS agency_domain FROM item_versions v \
                            JOIN agencies a ON a.id = v.agency_id)",
                    path: "x.agency_path",
                    domain: "x.agency_domain",
                    keys: &[("x.item_id", KeyKind::Text)],
                };
                self.keyset(scope, &spec, &conds, page).await
            }
            None => {
                conds.push(Cond::new(not_repealed, vec![]));
                conds.extend(Self::search_cond("items", Some("x.name"), page.q.as_deref()));
                let spec = ITEMS_LIST;
                self.keyset(scope, &spec, &conds, page).await
            }
        }
    }

    pub(crate) async fn inspection_items(
        &self,
        scope: &Scope,
        page: &Page,
    ) -> Result<List<InspectionItem>> {
        let conds: Vec<Cond> =
            Self::search_cond("inspection_items", None, page.q.as_deref()).into_iter().collect();
        let spec = INSPECTION_LIST;
        self.keyset(scope, &spec, &conds, page).await
    }

    pub(crate) async fn guide(&self, item_id: Uuid) -> Result<Option<ServiceGuide>> {
        Ok(self
            .docs(
                "SELECT doc FROM service_guides WHERE item_id = $1",
                &[Arg::Text(item_id.to_string())],
            )
            .await?
            .pop())
    }

    pub(crate) async fn benchmark(&self, item_id: Uuid) -> Result<Option<DiscretionBenchmark>> {
        Ok(self
            .docs(
                "SELECT doc FROM discretion_benchmarks WHERE item_id = $1",
                &[Arg::Text(item_id.to_string())],
            )
            .await?
            .pop())
    }

    /// The home page's counts, from the per-agency counters (no table is counted).
    pub(crate) async fn overview(
        &self,
        scope: &Scope,
        today: &str,
        soon: &str,
    ) -> Result<Overview> {
        // Every counter of the scope in one statement (one pass over the scope's counter
        // rows), the agencies in scope first as in `scoped_count`.
        let mut args: Vec<Arg> = scope_args(scope).into_iter().collect();
        args.push(Arg::Text(today.into()));
        args.push(Arg::Text(soon.into()));
        let fence = if IS_PG { " OFFSET 0" } else { "" };
        let cast = if IS_PG { "::BIGINT" } else { "" };
        let sum = |cond: &str| format!("COALESCE(SUM(CASE WHEN {cond} THEN c.n END), 0){cast}");
        let sql = format!(
            "SELECT {}, {}, {}, {}, {} FROM (SELECT a.id FROM agencies a WHERE {SCOPE_SQL}{fence}) s \
             JOIN counts c ON c.agency_id = s.id",
            sum("c.kind = 'officers'"),
            sum("c.kind = 'officers_valid' AND c.day >= $6"),
            sum("c.kind = 'officers_valid' AND c.day >= $6 AND c.day <= $7"),
            sum("c.kind = 'items'"),
            sum("c.kind = 'inspection_items'"),
        );
        let row = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
            .fetch_one(&self.pool)
            .await?;
        Ok(Overview {
            agencies: self.agency_count(scope).await?,
            officers: row.try_get(0)?,
            officers_valid: row.try_get(1)?,
            certificates_expiring: row.try_get(2)?,
            items: row.try_get(3)?,
            inspection_items: row.try_get(4)?,
        })
    }
}
