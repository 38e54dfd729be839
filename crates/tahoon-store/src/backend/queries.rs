//! The query text both backends share, as one macro that implements `Store` for a backend type.
//!
//! The backend type provides `pool`, `begin_write()` (a transaction that holds the write intent
//! from its start) and `serialize_audit_appends(&mut tx)`.

macro_rules! impl_store_queries {
    ($store:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::store::Backend {
                $backend
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_organization(&self, new: NewOrganization) -> Result<Organization, StoreError> {
                let mut tx = self.begin_write().await?;
                let row: OrganizationRow = sqlx::query_as(concat!(
                    "INSERT INTO organizations (name, kind, balance, rate_limit_per_minute, \
                     require_signature_header, shared_key_sealed, created_at, updated_at, \
                     max_active_bookings_per_user) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING ",
                    org_columns!()
                ))
                .bind(&new.name)
                .bind(new.kind.as_str())
                .bind(new.balance)
                .bind(new.rate_limit_per_minute)
                .bind(new.require_signature_header)
                .bind(&new.shared_key_sealed)
                .bind(new.now_us)
                .bind(new.max_active_bookings_per_user)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO access_keys (organization_id, digest, role, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(row.id())
                .bind(&new.access_key_digest)
                .bind(new.role.as_str())
                .bind(new.now_us)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn organization(&self, id: i64) -> Result<Option<Organization>, StoreError> {
                let row: Option<OrganizationRow> =
                    sqlx::query_as(concat!("SELECT ", org_columns!(), " FROM organizations WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn organizations(&self) -> Result<Vec<Organization>, StoreError> {
                // Each row is decoded on its own: one that cannot be read is reported and skipped,
                // never allowed to break the listing of every other organization.
                let rows = sqlx::query(concat!("SELECT ", org_columns!(), " FROM organizations ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .iter()
                    .filter_map(|row| {
                        let decoded = <OrganizationRow as sqlx::FromRow<_>>::from_row(row)
                            .map_err(StoreError::from)
                            .and_then(Organization::try_from);
                        match decoded {
                            Ok(organization) => Some(organization),
                            Err(e) => {
                                let id: Option<i64> = sqlx::Row::try_get(row, "id").ok();
                                tracing::error!(organization = ?id, error = %e, "an organization row cannot be read; skipped");
                                None
                            }
                        }
                    })
                    .collect())
            }

            async fn update_organization(
                &self,
                id: i64,
                changes: OrganizationChanges,
                now_us: i64,
            ) -> Result<Option<Organization>, StoreError> {
                let row: Option<OrganizationRow> = sqlx::query_as(concat!(
                    "UPDATE organizations SET enabled = COALESCE($2, enabled), \
                     require_signature_header = COALESCE($3, require_signature_header), \
                     rate_limit_per_minute = COALESCE($4, rate_limit_per_minute), \
                     balance = COALESCE($5, balance), name = COALESCE($6, name), updated_at = $7, \
                     cancellation_cutoff_hours = COALESCE($8, cancellation_cutoff_hours), \
                     max_active_bookings_per_user = CASE WHEN $9 THEN $10 ELSE max_active_bookings_per_user END \
                     WHERE id = $1 RETURNING ",
                    org_columns!()
                ))
                .bind(id)
                .bind(changes.enabled)
                .bind(changes.require_signature_header)
                .bind(changes.rate_limit_per_minute)
                .bind(changes.balance)
                .bind(changes.name)
                .bind(now_us)
                .bind(changes.cancellation_cutoff_hours)
                .bind(changes.max_active_bookings_per_user.is_some())
                .bind(changes.max_active_bookings_per_user.flatten())
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn rotate_organization_keys(
                &self,
                id: i64,
                credentials: NewCredentials,
            ) -> Result<Option<Organization>, StoreError> {
                let mut tx = self.begin_write().await?;
                let row: Option<OrganizationRow> = sqlx::query_as(concat!(
                    "UPDATE organizations SET shared_key_sealed = $2, \
                     credentials_version = credentials_version + 1, updated_at = $3 WHERE id = $1 RETURNING ",
                    org_columns!()
                ))
                .bind(id)
                .bind(&credentials.shared_key_sealed)
                .bind(credentials.now_us)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                sqlx::query("UPDATE access_keys SET revoked_at = $2 WHERE organization_id = $1 AND revoked_at IS NULL")
                    .bind(id)
                    .bind(credentials.now_us)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO access_keys (organization_id, digest, role, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(&credentials.access_key_digest)
                .bind(credentials.role.as_str())
                .bind(credentials.now_us)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Some(row.try_into()?))
            }

            async fn access_keys(&self, organization_id: i64) -> Result<Vec<AccessKey>, StoreError> {
                let rows: Vec<AccessKeyRow> = sqlx::query_as(
                    "SELECT id, organization_id, role, created_at, revoked_at FROM access_keys \
                     WHERE organization_id = $1 ORDER BY id",
                )
                .bind(organization_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn access_key_by_digest(
                &self,
                digest: &str,
            ) -> Result<Option<(AccessKey, Organization)>, StoreError> {
                let row: Option<KeyWithOrganizationRow> = sqlx::query_as(concat!(
                    "SELECT k.id AS key_id, k.role AS key_role, k.created_at AS key_created_at, ",
                    org_columns!(o),
                    " FROM access_keys k JOIN organizations o ON o.id = k.organization_id \
                     WHERE k.digest = $1 AND k.revoked_at IS NULL"
                ))
                .bind(digest)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn start_token_family(&self, family: TokenFamily, first: NewRefreshToken) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO token_families (id, organization_id, access_key_id, role, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&family.id)
                .bind(family.organization_id)
                .bind(family.access_key_id)
                .bind(family.role.as_str())
                .bind(first.now_us)
                .execute(&mut *tx)
                .await?;
                insert_refresh_token!(&mut *tx, &first);
                tx.commit().await?;
                Ok(())
            }

            async fn rotate_refresh_token(
                &self,
                presented_digest: &str,
                next: NewRefreshToken,
            ) -> Result<RefreshOutcome, StoreError> {
                let mut tx = self.begin_write().await?;
                // The conditional update is the lock: of two concurrent presentations, one wins.
                let claimed: Option<(String,)> = sqlx::query_as(
                    "UPDATE refresh_tokens SET used_at = $2 \
                     WHERE digest = $1 AND used_at IS NULL AND expires_at > $2 RETURNING family_id",
                )
                .bind(presented_digest)
                .bind(next.now_us)
                .fetch_optional(&mut *tx)
                .await?;
                let family_id = match claimed {
                    Some((family_id,)) => family_id,
                    None => {
                        let previous: Option<(String, Option<i64>)> =
                            sqlx::query_as("SELECT family_id, used_at FROM refresh_tokens WHERE digest = $1")
                                .bind(presented_digest)
                                .fetch_optional(&mut *tx)
                                .await?;
                        let Some((family_id, Some(_used))) = previous else {
                            return Ok(RefreshOutcome::Invalid);
                        };
                        let family = family_row!(&mut *tx, &family_id).family()?;
                        sqlx::query(
                            "UPDATE token_families SET revoked_at = $2, revoked_reason = 'refresh token reused' \
                             WHERE id = $1 AND revoked_at IS NULL",
                        )
                        .bind(&family_id)
                        .bind(next.now_us)
                        .execute(&mut *tx)
                        .await?;
                        tx.commit().await?;
                        return Ok(RefreshOutcome::Reused(family));
                    }
                };
                let row = family_row!(&mut *tx, &family_id);
                if !row.usable {
                    return Ok(RefreshOutcome::Invalid);
                }
                insert_refresh_token!(&mut *tx, &NewRefreshToken { family_id, ..next });
                tx.commit().await?;
                Ok(RefreshOutcome::Rotated(row.family()?))
            }

            async fn revoke_refresh_token(&self, digest: &str, now_us: i64) -> Result<RevokedRefresh, StoreError> {
                let mut tx = self.begin_write().await?;
                let found: Option<(String,)> = sqlx::query_as("SELECT family_id FROM refresh_tokens WHERE digest = $1")
                    .bind(digest)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((family_id,)) = found else {
                    return Ok(RevokedRefresh::Unknown);
                };
                let family = family_row!(&mut *tx, &family_id).family()?;
                sqlx::query(
                    "UPDATE token_families SET revoked_at = $2, revoked_reason = 'revoked by client' \
                     WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(&family_id)
                .bind(now_us)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(RevokedRefresh::Revoked(family))
            }

            async fn revoke_access_token(
                &self,
                jti: &str,
                organization_id: i64,
                expires_at_us: i64,
                now_us: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO revoked_access_tokens (jti, organization_id, expires_at, revoked_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING",
                )
                .bind(jti)
                .bind(organization_id)
                .bind(expires_at_us)
                .bind(now_us)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn token_standing(
                &self,
                organization_id: i64,
                family_id: &str,
                jti: &str,
            ) -> Result<Option<TokenStanding>, StoreError> {
                let row: Option<StandingRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    org_columns!(o),
                    ", k.revoked_at IS NOT NULL AS key_revoked, f.revoked_at IS NOT NULL AS family_revoked, \
                     EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = $3) AS token_revoked \
                     FROM token_families f \
                     JOIN organizations o ON o.id = f.organization_id \
                     JOIN access_keys k ON k.id = f.access_key_id \
                     WHERE f.id = $2 AND f.organization_id = $1"
                ))
                .bind(organization_id)
                .bind(family_id)
                .bind(jti)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn record_signature(
                &self,
                organization_id: i64,
                signature: &str,
                expires_at_us: i64,
                now_us: i64,
            ) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM used_signatures WHERE expires_at < $1").bind(now_us).execute(&mut *tx).await?;
                let inserted = sqlx::query(
                    "INSERT INTO used_signatures (organization_id, signature, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (organization_id, signature) DO NOTHING",
                )
                .bind(organization_id)
                .bind(signature)
                .bind(expires_at_us)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(inserted == 1)
            }

            async fn catalogue(&self) -> Result<Vec<CatalogueItem>, StoreError> {
                let rows: Vec<CatalogueRow> =
                    sqlx::query_as("SELECT kind, id, name_plang, name_slang FROM catalogue_items ORDER BY kind, id")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn upsert_catalogue_items(&self, items: &[CatalogueItem]) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await?;
                for item in items {
                    sqlx::query(
                        "INSERT INTO catalogue_items (kind, id, name_plang, name_slang) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (kind, id) DO UPDATE SET name_plang = $3, name_slang = $4",
                    )
                    .bind(item.kind.as_str())
                    .bind(item.id)
                    .bind(&item.name_plang)
                    .bind(&item.name_slang)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn upsert_care_provider(&self, p: &CareProvider, now_us: i64) -> Result<(i64, bool), StoreError> {
                let education = serde_json::to_string(&p.education).expect("plain data serializes");
                let certifications = serde_json::to_string(&p.certifications).expect("plain data serializes");
                let mut tx = self.begin_write().await?;
                let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM care_providers WHERE external_id = $1")
                    .bind(&p.external_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let sql = if existing.is_some() {
                    "UPDATE care_providers SET first_name_plang = $2, last_name_plang = $3, first_name_slang = $4, \
                     last_name_slang = $5, gender = $6, experience_years = $7, experience_level_id = $8, \
                     provider_level_id = $9, bio_short_plang = $10, bio_short_slang = $11, bio_long_plang = $12, \
                     bio_long_slang = $13, education = $14, certifications = $15, profile_image_url = $16, \
                     rating = $17, review_count = $18, time_zone = $19, active = $20, min_notice_minutes = $21, \
                     horizon_days = $22, buffer_minutes = $23, updated_at = $24 WHERE external_id = $1 RETURNING id"
                } else {
                    "INSERT INTO care_providers (external_id, first_name_plang, last_name_plang, first_name_slang, \
                     last_name_slang, gender, experience_years, experience_level_id, provider_level_id, \
                     bio_short_plang, bio_short_slang, bio_long_plang, bio_long_slang, education, certifications, \
                     profile_image_url, rating, review_count, time_zone, active, min_notice_minutes, horizon_days, \
                     buffer_minutes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $24) RETURNING id"
                };
                let (id,): (i64,) = sqlx::query_as(sql)
                    .bind(&p.external_id)
                    .bind(&p.names.first_plang)
                    .bind(&p.names.last_plang)
                    .bind(&p.names.first_slang)
                    .bind(&p.names.last_slang)
                    .bind(p.gender.code())
                    .bind(i64::from(p.experience_years))
                    .bind(p.experience_level_id)
                    .bind(p.provider_level_id)
                    .bind(&p.bio.short_plang)
                    .bind(&p.bio.short_slang)
                    .bind(&p.bio.long_plang)
                    .bind(&p.bio.long_slang)
                    .bind(&education)
                    .bind(&certifications)
                    .bind(&p.profile_image_url)
                    .bind(p.rating)
                    .bind(p.review_count)
                    .bind(&p.time_zone)
                    .bind(p.active)
                    .bind(i64::from(p.policy.min_notice_minutes))
                    .bind(i64::from(p.policy.horizon_days))
                    .bind(i64::from(p.policy.buffer_minutes))
                    .bind(now_us)
                    .fetch_one(&mut *tx)
                    .await?;
                for table in [
                    "DELETE FROM provider_languages WHERE provider_id = $1",
                    "DELETE FROM provider_specialties WHERE provider_id = $1",
                    "DELETE FROM provider_rates WHERE provider_id = $1",
                ] {
                    sqlx::query(table).bind(id).execute(&mut *tx).await?;
                }
                for language in &p.language_ids {
                    sqlx::query("INSERT INTO provider_languages (provider_id, language_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(language)
                        .execute(&mut *tx)
                        .await?;
                }
                for specialty in &p.specialty_ids {
                    sqlx::query("INSERT INTO provider_specialties (provider_id, specialty_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(specialty)
                        .execute(&mut *tx)
                        .await?;
                }
                for (position, rate) in p.rates.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO provider_rates (provider_id, position, duration_minutes, price_minor, currency) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(position as i64)
                    .bind(i64::from(rate.duration_minutes))
                    .bind(rate.price_minor)
                    .bind(&rate.currency)
                    .execute(&mut *tx)
                    .await?;
                }
                replace_availability!(&mut tx, id, &p.weekly, &p.exceptions);
                tx.commit().await?;
                Ok((id, existing.is_none()))
            }

            async fn set_provider_availability(
                &self,
                provider_id: i64,
                policy: BookingPolicy,
                weekly: &[WeeklyRule],
                exceptions: &[DatedException],
                now_us: i64,
            ) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE care_providers SET min_notice_minutes = $2, horizon_days = $3, buffer_minutes = $4, \
                     updated_at = $5 WHERE id = $1",
                )
                .bind(provider_id)
                .bind(i64::from(policy.min_notice_minutes))
                .bind(i64::from(policy.horizon_days))
                .bind(i64::from(policy.buffer_minutes))
                .bind(now_us)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 0 {
                    return Ok(false);
                }
                replace_availability!(&mut tx, provider_id, weekly, exceptions);
                tx.commit().await?;
                Ok(true)
            }

            async fn care_provider(&self, provider_id: i64) -> Result<Option<CareProvider>, StoreError> {
                let rows = load_providers!(&self.pool, provider_id, provider_id, "0000-01-01", "9999-12-31");
                Ok(rows.assemble()?.into_iter().next())
            }

            async fn care_providers(
                &self,
                from: jiff::civil::Date,
                to: jiff::civil::Date,
            ) -> Result<Vec<CareProvider>, StoreError> {
                let (from, to) = (from.to_string(), to.to_string());
                let rows = load_providers!(&self.pool, i64::MIN, i64::MAX, from.as_str(), to.as_str());
                rows.assemble()
            }

            async fn busy_intervals(&self, from_us: i64, to_us: i64) -> Result<Vec<BusyInterval>, StoreError> {
                let rows: Vec<BusyRow> = sqlx::query_as(
                    "SELECT provider_id, user_id, starts_at, ends_at, blocks_until FROM bookings \
                     WHERE status IN (1, 6) AND starts_at < $2 AND blocks_until > $1",
                )
                .bind(from_us)
                .bind(to_us)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn create_user(&self, new: NewUser) -> Result<i64, StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (organization_id, reference_id, name, dob, gender, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(new.organization_id)
                .bind(&new.reference_id)
                .bind(&new.name)
                .bind(&new.dob)
                .bind(new.gender)
                .bind(new.now_us)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn user_in_organization(&self, organization_id: i64, user_id: i64) -> Result<bool, StoreError> {
                let found: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM users WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL")
                        .bind(user_id)
                        .bind(organization_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(found.is_some())
            }

            async fn register_user(&self, new: NewUser) -> Result<Registration, StoreError> {
                let mut tx = self.begin_write().await?;
                let outcome = register_in!(&mut *tx, &new);
                tx.commit().await?;
                Ok(outcome)
            }

            async fn user(&self, organization_id: i64, user_id: i64) -> Result<Option<User>, StoreError> {
                let row: Option<UserRow> = sqlx::query_as(
                    "SELECT id, organization_id, reference_id, name, dob, gender, created_at FROM users \
                     WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL",
                )
                .bind(user_id)
                .bind(organization_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn erase_user(&self, organization_id: i64, user_id: i64, event: NewEvent, now_us: i64) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await?;
                let erased = sqlx::query(
                    "UPDATE users SET name = NULL, dob = NULL, reference_id = NULL, erased_at = $3 \
                     WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL",
                )
                .bind(user_id)
                .bind(organization_id)
                .bind(now_us)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if erased == 0 {
                    return Ok(false);
                }
                let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, answers FROM assessments WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_all(&mut *tx)
                    .await?;
                for (id, answers) in rows {
                    sqlx::query("UPDATE assessments SET answers = $2 WHERE id = $1")
                        .bind(id)
                        .bind(without_text(&answers)?)
                        .execute(&mut *tx)
                        .await?;
                }
                insert_event!(&mut *tx, &event, now_us);
                tx.commit().await?;
                Ok(true)
            }

            async fn custom_instruments(&self) -> Result<Vec<tahoon_domain::screening::Instrument>, StoreError> {
                let rows: Vec<InstrumentRow> =
                    sqlx::query_as("SELECT id, definition FROM screening_instruments ORDER BY id")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn add_instrument(
                &self,
                definition: &tahoon_domain::screening::InstrumentDefinition,
                now_us: i64,
            ) -> Result<Option<tahoon_domain::screening::Instrument>, StoreError> {
                let mut tx = self.begin_write().await?;
                let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM screening_instruments WHERE code = $1")
                    .bind(&definition.code)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Ok(None);
                }
                let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM screening_instruments")
                    .fetch_one(&mut *tx)
                    .await?;
                let id = last.map_or(tahoon_domain::screening::FIRST_CUSTOM_ID, |l| l + 1);
                sqlx::query("INSERT INTO screening_instruments (id, code, definition, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(&definition.code)
                    .bind(serde_json::to_string(definition).expect("plain data serializes"))
                    .bind(now_us)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(tahoon_domain::screening::Instrument { id, definition: definition.clone() }))
            }

            async fn record_assessment(&self, a: NewAssessment, events: Vec<NewEvent>) -> Result<i64, StoreError> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO assessments (organization_id, user_id, instrument_id, instrument_code, total, max_total, \
                     band_code, risk_flags, answers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(a.organization_id)
                .bind(a.user_id)
                .bind(a.instrument_id)
                .bind(&a.instrument_code)
                .bind(a.total)
                .bind(a.max_total)
                .bind(&a.band_code)
                .bind(serde_json::to_string(&a.risk_flags).expect("plain data serializes"))
                .bind(serde_json::to_string(&a.answers).expect("plain data serializes"))
                .bind(a.now_us)
                .fetch_one(&mut *tx)
                .await?;
                for event in &events {
                    let mut event = event.clone();
                    if let serde_json::Value::Object(fields) = &mut event.payload {
                        fields.insert("assessmentRowId".into(), id.into());
                    }
                    insert_event!(&mut *tx, &event, a.now_us);
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn assessments(&self, organization_id: i64, user_id: i64) -> Result<Vec<AssessmentRecord>, StoreError> {
                let rows: Vec<AssessmentRow> = sqlx::query_as(
                    "SELECT id, user_id, instrument_id, instrument_code, total, max_total, band_code, risk_flags, answers, \
                     created_at FROM assessments WHERE organization_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC",
                )
                .bind(organization_id)
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn hold_booking(&self, new: NewBooking) -> Result<HoldOutcome, StoreError> {
                let mut tx = self.begin_write().await?;
                // A guest is registered in this transaction: any refusal below rolls it back.
                let (user_id, guest_created) = match &new.user {
                    BookingUser::Existing(id) => (*id, false),
                    BookingUser::Guest(guest) => match register_in!(&mut *tx, guest) {
                        Registration::Created(user) => (user.id, true),
                        Registration::Existing(user) => (user.id, false),
                    },
                };
                let (cap,): (Option<i64>,) =
                    sqlx::query_as("SELECT max_active_bookings_per_user FROM organizations WHERE id = $1")
                        .bind(new.organization_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if let Some(limit) = cap {
                    // Concurrent holds for one user count one after the other.
                    Self::lock_user(&mut tx, user_id).await?;
                    let (active,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM bookings WHERE user_id = $1 AND status IN (1, 6) AND starts_at > $2",
                    )
                    .bind(user_id)
                    .bind(new.now_us)
                    .fetch_one(&mut *tx)
                    .await?;
                    if active >= limit {
                        return Ok(HoldOutcome::UserLimitReached { limit });
                    }
                }
                // The provider's calendar compares held times (sessions and their buffers); the
                // user's compares the sessions themselves.
                let overlap: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM bookings WHERE status IN (1, 6) \
                     AND ((provider_id = $1 AND starts_at < $5 AND blocks_until > $3) \
                       OR (user_id = $2 AND starts_at < $4 AND ends_at > $3)) LIMIT 1",
                )
                .bind(new.provider_id)
                .bind(user_id)
                .bind(new.starts_at_us)
                .bind(new.ends_at_us)
                .bind(new.blocks_until_us)
                .fetch_optional(&mut *tx)
                .await?;
                if overlap.is_some() {
                    return Ok(HoldOutcome::Taken);
                }
                if new.debit_balance {
                    let debited = sqlx::query("UPDATE organizations SET balance = balance - 1 WHERE id = $1 AND balance > 0")
                        .bind(new.organization_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if debited == 0 {
                        return Ok(HoldOutcome::BalanceOut);
                    }
                }
                let inserted: Result<BookingRow, sqlx::Error> = sqlx::query_as(concat!(
                    "INSERT INTO bookings (organization_id, user_id, provider_id, starts_at, ends_at, status, price_minor, \
                     currency, communication_type, from_mobile, platform_id, charity_debited, created_at, updated_at, \
                     blocks_until) \
                     VALUES ($1, $2, $3, $4, $5, 6, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING ",
                    booking_columns!()
                ))
                .bind(new.organization_id)
                .bind(user_id)
                .bind(new.provider_id)
                .bind(new.starts_at_us)
                .bind(new.ends_at_us)
                .bind(new.price_minor)
                .bind(&new.currency)
                .bind(new.communication_type)
                .bind(new.from_mobile)
                .bind(new.platform_id)
                .bind(new.debit_balance)
                .bind(new.now_us)
                .bind(new.blocks_until_us)
                .fetch_one(&mut *tx)
                .await;
                let row = match inserted {
                    Ok(row) => row,
                    Err(e) if is_overlap(&e) => return Ok(HoldOutcome::Taken),
                    Err(e) => return Err(e.into()),
                };
                sqlx::query(
                    "INSERT INTO booking_status_history (booking_id, from_status, to_status, at, actor, reason) \
                     VALUES ($1, NULL, 6, $2, $3, 'slot held')",
                )
                .bind(row.id())
                .bind(new.now_us)
                .bind(&new.actor)
                .execute(&mut *tx)
                .await?;
                match tx.commit().await {
                    Ok(()) => Ok(HoldOutcome::Held { booking: row.try_into()?, guest_created }),
                    Err(e) if is_overlap(&e) => Ok(HoldOutcome::Taken),
                    Err(e) => Err(e.into()),
                }
            }

            async fn transition_booking(&self, t: Transition) -> Result<Option<Booking>, StoreError> {
                let mut tx = self.begin_write().await?;
                let current: Option<BookingRow> = sqlx::query_as(concat!("SELECT ", booking_columns!(), " FROM bookings WHERE id = $1"))
                    .bind(t.booking_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(current) = current else { return Ok(None) };
                let current: Booking = current.try_into()?;
                let instant = |us: i64| jiff::Timestamp::from_microsecond(us).map_err(|_| corrupt("instant", &us.to_string()));
                let allowed = current.status.can_become_at(t.to, instant(t.now_us)?, instant(current.starts_at_us)?);
                if !t.from.contains(&current.status) || allowed.is_err() {
                    return Ok(None);
                }
                let (meeting_id, join_url) = t.meeting.clone().unzip();
                let row: BookingRow = sqlx::query_as(concat!(
                    "UPDATE bookings SET status = $2, updated_at = $3, meeting_id = COALESCE($4, meeting_id), \
                     join_url = COALESCE($5, join_url), charity_debited = CASE WHEN $6 THEN $7 ELSE charity_debited END \
                     WHERE id = $1 AND status = $8 RETURNING ",
                    booking_columns!()
                ))
                .bind(t.booking_id)
                .bind(t.to.code())
                .bind(t.now_us)
                .bind(meeting_id)
                .bind(join_url)
                .bind(t.restore_balance && current.charity_debited)
                .bind(false)
                .bind(current.status.code())
                .fetch_one(&mut *tx)
                .await?;
                if t.restore_balance && current.charity_debited {
                    // Checked: a balance already at its ceiling stays there rather than overflow.
                    sqlx::query("UPDATE organizations SET balance = CASE WHEN balance < $2 THEN balance + 1 ELSE balance END WHERE id = $1")
                        .bind(current.organization_id)
                        .bind(tahoon_domain::organization::SessionBalance::MAX)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(guest) = t.withdraw_guest {
                    sqlx::query(
                        "UPDATE users SET name = NULL, dob = NULL, reference_id = NULL, erased_at = $2 \
                         WHERE id = $1 AND erased_at IS NULL",
                    )
                    .bind(guest)
                    .bind(t.now_us)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO booking_status_history (booking_id, from_status, to_status, at, actor, reason) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(t.booking_id)
                .bind(current.status.code())
                .bind(t.to.code())
                .bind(t.now_us)
                .bind(&t.actor)
                .bind(&t.reason)
                .execute(&mut *tx)
                .await?;
                if let Some(event) = &t.event {
                    insert_event!(&mut *tx, event, t.now_us);
                }
                tx.commit().await?;
                Ok(Some(row.try_into()?))
            }

            async fn reschedule_booking(&self, change: Reschedule) -> Result<RescheduleOutcome, StoreError> {
                let Reschedule { booking_id, starts_at_us, ends_at_us, blocks_until_us, actor, event, now_us } = change;
                let mut tx = self.begin_write().await?;
                let current: Option<BookingRow> = sqlx::query_as(concat!("SELECT ", booking_columns!(), " FROM bookings WHERE id = $1 AND status = 1"))
                    .bind(booking_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(current) = current else { return Ok(RescheduleOutcome::NotMovable) };
                let current: Booking = current.try_into()?;
                let overlap: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM bookings WHERE status IN (1, 6) AND id <> $1 \
                     AND ((provider_id = $2 AND starts_at < $6 AND blocks_until > $4) \
                       OR (user_id = $3 AND starts_at < $5 AND ends_at > $4)) LIMIT 1",
                )
                .bind(booking_id)
                .bind(current.provider_id)
                .bind(current.user_id)
                .bind(starts_at_us)
                .bind(ends_at_us)
                .bind(blocks_until_us)
                .fetch_optional(&mut *tx)
                .await?;
                if overlap.is_some() {
                    return Ok(RescheduleOutcome::Taken);
                }
                let moved: Result<BookingRow, sqlx::Error> = sqlx::query_as(concat!(
                    "UPDATE bookings SET starts_at = $2, ends_at = $3, updated_at = $4, blocks_until = $5 \
                     WHERE id = $1 AND status = 1 RETURNING ",
                    booking_columns!()
                ))
                .bind(booking_id)
                .bind(starts_at_us)
                .bind(ends_at_us)
                .bind(now_us)
                .bind(blocks_until_us)
                .fetch_one(&mut *tx)
                .await;
                let row = match moved {
                    Ok(row) => row,
                    Err(e) if is_overlap(&e) => return Ok(RescheduleOutcome::Taken),
                    Err(e) => return Err(e.into()),
                };
                let reason = format!("rescheduled from {} to {}", current.starts_at_us, starts_at_us);
                sqlx::query(
                    "INSERT INTO booking_status_history (booking_id, from_status, to_status, at, actor, reason) \
                     VALUES ($1, 1, 1, $2, $3, $4)",
                )
                .bind(booking_id)
                .bind(now_us)
                .bind(&actor)
                .bind(&reason)
                .execute(&mut *tx)
                .await?;
                insert_event!(&mut *tx, &event, now_us);
                match tx.commit().await {
                    Ok(()) => Ok(RescheduleOutcome::Moved(row.try_into()?)),
                    Err(e) if is_overlap(&e) => Ok(RescheduleOutcome::Taken),
                    Err(e) => Err(e.into()),
                }
            }

            async fn booking(&self, organization_id: i64, booking_id: i64) -> Result<Option<Booking>, StoreError> {
                let row: Option<BookingRow> = sqlx::query_as(concat!(
                    "SELECT ", booking_columns!(), " FROM bookings WHERE id = $1 AND organization_id = $2"
                ))
                .bind(booking_id)
                .bind(organization_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn booking_history(&self, booking_id: i64) -> Result<Vec<StatusChange>, StoreError> {
                let rows: Vec<StatusChangeRow> = sqlx::query_as(
                    "SELECT from_status, to_status, at, actor, reason FROM booking_status_history \
                     WHERE booking_id = $1 ORDER BY id",
                )
                .bind(booking_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn user_bookings(&self, q: BookingQuery) -> Result<(Vec<Booking>, i64), StoreError> {
                // A status of 0 matches every status.
                let status = q.status.map_or(0, |s| s.code());
                let (organization_id, user_id, from_us, to_us, offset, limit) =
                    (q.organization_id, q.user_id, q.from_us, q.to_us, q.offset, q.limit);
                let rows: Vec<BookingRow> = sqlx::query_as(concat!(
                    "SELECT ", booking_columns!(), " FROM bookings WHERE ", user_bookings_filter!(),
                    " ORDER BY starts_at, id LIMIT $6 OFFSET $7"
                ))
                .bind(organization_id)
                .bind(user_id)
                .bind(status)
                .bind(from_us)
                .bind(to_us)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                let (total,): (i64,) = sqlx::query_as(concat!("SELECT COUNT(*) FROM bookings WHERE ", user_bookings_filter!()))
                .bind(organization_id)
                .bind(user_id)
                .bind(status)
                .bind(from_us)
                .bind(to_us)
                .fetch_one(&self.pool)
                .await?;
                Ok((rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?, total))
            }

            async fn organization_bookings(&self, organization_id: i64, from_us: i64, to_us: i64) -> Result<Vec<Booking>, StoreError> {
                let rows: Vec<BookingRow> = sqlx::query_as(concat!(
                    "SELECT ", booking_columns!(), " FROM bookings WHERE organization_id = $1 \
                     AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id"
                ))
                .bind(organization_id)
                .bind(from_us)
                .bind(to_us)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn add_favorite(&self, organization_id: i64, user_id: i64, provider_id: i64, now_us: i64) -> Result<bool, StoreError> {
                let added = sqlx::query(
                    "INSERT INTO favorites (organization_id, user_id, provider_id, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, provider_id) DO NOTHING",
                )
                .bind(organization_id)
                .bind(user_id)
                .bind(provider_id)
                .bind(now_us)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(added == 1)
            }

            async fn remove_favorite(&self, user_id: i64, provider_id: i64) -> Result<bool, StoreError> {
                let removed = sqlx::query("DELETE FROM favorites WHERE user_id = $1 AND provider_id = $2")
                    .bind(user_id)
                    .bind(provider_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(removed == 1)
            }

            async fn favorites(&self, user_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
                Ok(sqlx::query_as("SELECT provider_id, created_at FROM favorites WHERE user_id = $1 ORDER BY created_at DESC, provider_id")
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn claim_idempotency_key(
                &self,
                organization_id: i64,
                key: &str,
                request_hash: &str,
                now_us: i64,
                expired_before_us: i64,
            ) -> Result<IdempotencyClaim, StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(expired_before_us)
                    .execute(&mut *tx)
                    .await?;
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (organization_id, idempotency_key, request_hash, state, created_at) \
                     VALUES ($1, $2, $3, 0, $4) ON CONFLICT (organization_id, idempotency_key) DO NOTHING",
                )
                .bind(organization_id)
                .bind(key)
                .bind(request_hash)
                .bind(now_us)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let claim = if inserted == 1 {
                    IdempotencyClaim::New
                } else {
                    let (hash, state, status, body): (String, i64, Option<i64>, Option<String>) = sqlx::query_as(
                        "SELECT request_hash, state, status_code, response_body FROM idempotency_keys \
                         WHERE organization_id = $1 AND idempotency_key = $2",
                    )
                    .bind(organization_id)
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                    match (hash == request_hash, state, status, body) {
                        (false, _, _, _) => IdempotencyClaim::Mismatch,
                        (true, 1, Some(status_code), Some(body)) => IdempotencyClaim::Replay { status_code, body },
                        _ => IdempotencyClaim::InFlight,
                    }
                };
                tx.commit().await?;
                Ok(claim)
            }

            async fn complete_idempotency_key(&self, organization_id: i64, key: &str, status_code: i64, body: &str) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE idempotency_keys SET state = 1, status_code = $3, response_body = $4 \
                     WHERE organization_id = $1 AND idempotency_key = $2",
                )
                .bind(organization_id)
                .bind(key)
                .bind(status_code)
                .bind(body)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn release_idempotency_key(&self, organization_id: i64, key: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = $1 AND idempotency_key = $2 AND state = 0")
                    .bind(organization_id)
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn pending_events(&self, limit: i64) -> Result<Vec<OutboxEvent>, StoreError> {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    "SELECT id, organization_id, event_type, payload, created_at FROM outbox_events \
                     WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn append_audit(&self, content: AuditContent) -> Result<AuditEntry, StoreError> {
                let mut tx = self.begin_write().await?;
                Self::serialize_audit_appends(&mut tx).await?;
                let last: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *tx)
                        .await?;
                let (seq, prev_hash) = match last {
                    Some((seq, hash)) => (seq + 1, hash),
                    None => (1, tahoon_domain::audit::GENESIS_HASH.to_string()),
                };
                let hash = content.chain_hash(seq, &prev_hash);
                sqlx::query(concat!(
                    "INSERT INTO audit_log (",
                    audit_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ))
                .bind(seq)
                .bind(content.occurred_at_us)
                .bind(content.organization_id)
                .bind(&content.actor)
                .bind(&content.action)
                .bind(content.outcome.as_str())
                .bind(&content.request_id)
                .bind(&content.source_ip)
                .bind(&content.details)
                .bind(&prev_hash)
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(AuditEntry { seq, content, prev_hash, hash })
            }

            async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
                let rows: Vec<AuditRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    audit_columns!(),
                    " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}

/// Inserts one refresh token inside a transaction.
macro_rules! insert_refresh_token {
    ($conn:expr, $token:expr) => {{
        let token: &NewRefreshToken = $token;
        sqlx::query("INSERT INTO refresh_tokens (digest, family_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&token.digest)
            .bind(&token.family_id)
            .bind(token.now_us)
            .bind(token.expires_at_us)
            .execute($conn)
            .await?;
    }};
}

/// Reads a token family with whether it can still be used (family, key and organization live).
macro_rules! family_row {
    ($conn:expr, $family_id:expr) => {{
        let row: FamilyRow = sqlx::query_as(
            "SELECT f.id, f.organization_id, f.access_key_id, f.role, \
             (f.revoked_at IS NULL AND k.revoked_at IS NULL AND o.enabled) AS usable \
             FROM token_families f \
             JOIN access_keys k ON k.id = f.access_key_id \
             JOIN organizations o ON o.id = f.organization_id WHERE f.id = $1",
        )
        .bind($family_id)
        .fetch_one($conn)
        .await?;
        row
    }};
}

/// Replaces a provider's weekly rules and exceptions inside a transaction.
macro_rules! replace_availability {
    ($tx:expr, $id:expr, $weekly:expr, $exceptions:expr) => {{
        let tx = $tx;
        let id: i64 = $id;
        sqlx::query("DELETE FROM availability_rules WHERE provider_id = $1").bind(id).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM availability_exceptions WHERE provider_id = $1").bind(id).execute(&mut **tx).await?;
        for rule in $weekly.iter() {
            sqlx::query(
                "INSERT INTO availability_rules (provider_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i64::from(rule.weekday.to_monday_one_offset()))
            .bind(i64::from(rule.window.start()))
            .bind(i64::from(rule.window.end()))
            .execute(&mut **tx)
            .await?;
        }
        for exception in $exceptions.iter() {
            sqlx::query(
                "INSERT INTO availability_exceptions (provider_id, local_date, kind, start_minute, end_minute) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(exception.date.to_string())
            .bind(exception_kind(exception.kind))
            .bind(i64::from(exception.window.start()))
            .bind(i64::from(exception.window.end()))
            .execute(&mut **tx)
            .await?;
        }
    }};
}

/// Reads providers with ids in `lo..=hi` and their details (exceptions dated `from..=to`): six
/// queries whatever the number of providers.
macro_rules! load_providers {
    ($pool:expr, $lo:expr, $hi:expr, $from:expr, $to:expr) => {{
        let (lo, hi, from, to): (i64, i64, &str, &str) = ($lo, $hi, $from, $to);
        // Every child table is read the same way: rows of providers with ids in lo..=hi.
        macro_rules! children {
            ($sql:expr) => {
                sqlx::query_as($sql).bind(lo).bind(hi).fetch_all($pool).await?
            };
        }
        ProviderRows {
            providers: children!(concat!(
                "SELECT ",
                provider_columns!(),
                " FROM care_providers WHERE id BETWEEN $1 AND $2 ORDER BY id"
            )),
            languages: children!(
                "SELECT provider_id, language_id AS value FROM provider_languages \
                 WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, language_id"
            ),
            specialties: children!(
                "SELECT provider_id, specialty_id AS value FROM provider_specialties \
                 WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, specialty_id"
            ),
            rates: children!(
                "SELECT provider_id, duration_minutes, price_minor, currency FROM provider_rates \
                 WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, position"
            ),
            rules: children!(
                "SELECT provider_id, weekday, start_minute, end_minute FROM availability_rules \
                 WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, weekday, start_minute"
            ),
            exceptions: sqlx::query_as(
                "SELECT provider_id, local_date, kind, start_minute, end_minute FROM availability_exceptions \
                 WHERE provider_id BETWEEN $1 AND $2 AND local_date BETWEEN $3 AND $4 \
                 ORDER BY provider_id, local_date, start_minute",
            )
            .bind(lo)
            .bind(hi)
            .bind(from)
            .bind(to)
            .fetch_all($pool)
            .await?,
        }
    }};
}

/// Registers a user inside a transaction, or finds the one already registered with the same
/// reference id in the organization.
macro_rules! register_in {
    ($conn:expr, $new:expr) => {{
        let new: &NewUser = $new;
        let created: Option<UserRow> = sqlx::query_as(
            "INSERT INTO users (organization_id, reference_id, name, dob, gender, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organization_id, reference_id) DO NOTHING \
             RETURNING id, organization_id, reference_id, name, dob, gender, created_at",
        )
        .bind(new.organization_id)
        .bind(&new.reference_id)
        .bind(&new.name)
        .bind(&new.dob)
        .bind(new.gender)
        .bind(new.now_us)
        .fetch_optional(&mut *$conn)
        .await?;
        match created {
            Some(row) => Registration::Created(row.into()),
            None => {
                let row: UserRow = sqlx::query_as(
                    "SELECT id, organization_id, reference_id, name, dob, gender, created_at FROM users \
                     WHERE organization_id = $1 AND reference_id = $2",
                )
                .bind(new.organization_id)
                .bind(&new.reference_id)
                .fetch_one(&mut *$conn)
                .await?;
                Registration::Existing(row.into())
            }
        }
    }};
}

/// Writes one outbox event inside a transaction.
macro_rules! insert_event {
    ($conn:expr, $event:expr, $now:expr) => {{
        let event: &NewEvent = $event;
        sqlx::query(
            "INSERT INTO outbox_events (organization_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(event.organization_id)
        .bind(&event.event_type)
        .bind(event.payload.to_string())
        .bind($now)
        .execute($conn)
        .await?;
    }};
}

/// The conditions of one user's booking history (`$1`..`$5`), shared by its page and its count.
macro_rules! user_bookings_filter {
    () => {
        "organization_id = $1 AND user_id = $2 AND ($3 = 0 OR status = $3) AND starts_at >= $4 AND starts_at < $5"
    };
}
