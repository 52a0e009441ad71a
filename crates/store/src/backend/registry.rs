// Registry (REG-1…REG-6): agencies, officers, power-list items and their versions, inspection
// items, service guides, discretion benchmarks — projections and scoped reads.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

const REGISTRY_TABLES: &[&str] = &["agencies",
    "officers",
    "items",
    "item_versions",
    "inspection_items",
    "service_guides",
    "discretion_benchmarks",];

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
                    "INSERT INTO agencies (id, name, credit_code, level, division_code, parent_id, domain, path, version, doc) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, credit_code = excluded.credit_code, level = excluded.level, \
                     division_code = excluded.division_code, domain = excluded.domain, version = excluded.version, doc = excluded.doc",
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
                sqlx::query(
                    "INSERT INTO items (item_id, agency_id, code, name, category, repealed, version, doc) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (item_id) DO UPDATE SET agency_id = excluded.agency_id, code = excluded.code, name = excluded.name, \
                     category = excluded.category, repealed = excluded.repealed, version = excluded.version, doc = excluded.doc",
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
                    "INSERT INTO inspection_items (id, agency_id, doc) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id, doc = excluded.doc",
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

    async fn put_officer(
        tx: &mut sqlx::Transaction<'static, Db>,
        o: &Officer,
        version: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO officers (id, agency_id, name, certificate_no, status, valid_to, version, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id, name = excluded.name, \
             certificate_no = excluded.certificate_no, status = excluded.status, valid_to = excluded.valid_to, \
             version = excluded.version, doc = excluded.doc",
        )
        .bind(o.id.to_string())
        .bind(o.agency_id.to_string())
        .bind(o.name.as_str())
        .bind(o.certificate_no.as_str())
        .bind(o.status.as_str())
        .bind(zhifa_domain::registry::format_date(o.valid_to))
        .bind(version)
        .bind(erased::Doc::doc(o))
        .execute(&mut **tx)
        .await
        .map_err(map_unique)?;
        Ok(())
    }

    pub(crate) async fn agency(&self, id: Uuid) -> Result<Option<(Agency, i64)>> {
        self.doc_with_version("SELECT doc, version FROM agencies WHERE id = $1", id)
            .await
    }

    pub(crate) async fn agencies(&self, scope: &Scope, page: &Page) -> Result<(Vec<Agency>, i64)> {
        self.paged(
            scope,
            &format!("FROM (SELECT agencies.*, name || ' ' || credit_code || ' ' || division_code AS search FROM agencies) x JOIN agencies a ON a.id = x.id WHERE {SCOPE_SQL}"),
            vec![],
            "x.path",
            page,
        )
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
    ) -> Result<(Vec<Officer>, i64)> {
        let mut cond = String::new();
        let mut extra = Vec::new();
        if let Some(id) = filter.agency_id {
            extra.push(Arg::Text(id.to_string()));
            cond.push_str(&format!(" AND x.agency_id = ${}", 3 + extra.len()));
        }
        if let Some((from, to)) = &filter.expiring {
            extra.push(Arg::Text(from.clone()));
            extra.push(Arg::Text(to.clone()));
            cond.push_str(&format!(
                " AND x.status = 'valid' AND x.valid_to >= ${} AND x.valid_to <= ${}",
                2 + extra.len(),
                3 + extra.len()
            ));
        }
        self.paged(
            scope,
            &format!("FROM (SELECT officers.*, name || ' ' || certificate_no AS search FROM officers) x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL}{cond}"),
            extra,
            if filter.expiring.is_some() { "x.valid_to, x.certificate_no" } else { "x.certificate_no" },
            page,
        )
        .await
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
    ) -> Result<(Vec<ItemVersion>, i64)> {
        let mut extra = Vec::new();
        let mut cond = String::new();
        if let Some(c) = &filter.category {
            extra.push(Arg::Text(c.clone()));
            cond.push_str(&format!(" AND x.category = ${}", 3 + extra.len()));
        }
        if let Some(a) = filter.agency_id {
            extra.push(Arg::Text(a.to_string()));
            cond.push_str(&format!(" AND x.agency_id = ${}", 3 + extra.len()));
        }
        let source = match &filter.as_of {
            // The version in force on a date: the latest version effective on or before it,
            // unless that version repealed the item.
            Some(day) => {
                extra.push(Arg::Text(day.clone()));
                let p = 3 + extra.len();
                format!(
                    "(SELECT v.*, v.doc AS search FROM item_versions v WHERE v.effective_from <= ${p} AND v.version = \
                     (SELECT MAX(w.version) FROM item_versions w WHERE w.item_id = v.item_id AND w.effective_from <= ${p})) x"
                )
            }
            None => "(SELECT items.*, code || ' ' || name AS search FROM items) x".to_string(),
        };
        self.paged(
            scope,
            &format!("FROM {source} JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL} AND x.repealed = $0{cond}")
                .replace("$0", if IS_PG { "FALSE" } else { "0" }),
            extra,
            "x.category, x.item_id",
            page,
        )
        .await
    }

    pub(crate) async fn inspection_items(
        &self,
        scope: &Scope,
        page: &Page,
    ) -> Result<(Vec<InspectionItem>, i64)> {
        self.paged(
            scope,
            &format!("FROM (SELECT inspection_items.*, doc AS search FROM inspection_items) x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL}"),
            vec![],
            "a.path, x.id",
            page,
        )
        .await
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

    pub(crate) async fn overview(
        &self,
        scope: &Scope,
        today: &str,
        soon: &str,
    ) -> Result<Overview> {
        let s = scope_args(scope);
        let with = |extra: &[Arg]| {
            s.iter()
                .cloned()
                .chain(extra.iter().cloned())
                .collect::<Vec<_>>()
        };
        Ok(Overview {
            agencies: self.count(&format!("SELECT COUNT(*) FROM agencies a WHERE {SCOPE_SQL}"), &s).await?,
            officers: self.count(&format!("SELECT COUNT(*) FROM officers x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL}"), &s).await?,
            officers_valid: self
                .count(
                    &format!("SELECT COUNT(*) FROM officers x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL} AND x.status = 'valid' AND x.valid_to >= $4"),
                    &with(&[Arg::Text(today.to_string())]),
                )
                .await?,
            certificates_expiring: self
                .count(
                    &format!("SELECT COUNT(*) FROM officers x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL} AND x.status = 'valid' AND x.valid_to >= $4 AND x.valid_to <= $5"),
                    &with(&[Arg::Text(today.to_string()), Arg::Text(soon.to_string())]),
                )
                .await?,
            items: self.count(&format!("SELECT COUNT(*) FROM items x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL}"), &s).await?,
            inspection_items: self.count(&format!("SELECT COUNT(*) FROM inspection_items x JOIN agencies a ON a.id = x.agency_id WHERE {SCOPE_SQL}"), &s).await?,
        })
    }
}
