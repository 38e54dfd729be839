//! Access tokens (JWT HS256) and rotating refresh tokens.
//!
//! Access token claims: `iss`, `aud`, `sub` (the organization's public id), `exp`, `iat`, `nbf`,
//! `jti`, `role`, `fam` (the refresh family it was issued in) and `ver` (the organization's
//! credentials version); header `kid`. The shared signing key is never in a token.

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::services::error::{ServiceError, ServiceResult, TokenRejection};
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::organization::{AccessKey, Organization, Role};
use tahoon_domain::public_id::{IdCodec, kind};
use tahoon_domain::secrets::{REFRESH_TOKEN_PREFIX, digest, generate_secret};
use tahoon_store::{NewRefreshToken, RefreshOutcome, RevokedRefresh, Store, TokenFamily};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub role: Role,
    pub fam: String,
    pub ver: i64,
}

/// The token endpoint's success body (OAuth 2.0, RFC 6749 §5.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenGrant {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (86400).
    pub expires_in: i64,
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: i64,
}

/// A bearer token that passed every check.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub organization: Organization,
    pub role: Role,
    pub family_id: String,
    pub jti: String,
}

#[derive(Clone)]
pub struct TokenService {
    store: Arc<dyn Store>,
    config: Arc<ServerConfig>,
    ids: IdCodec,
    encoding: EncodingKey,
    /// The current key's, then each retired key's: `(kid, key)`.
    decoding: Arc<Vec<(String, DecodingKey)>>,
    kid: String,
    validation: Validation,
    clock: Clock,
}

impl TokenService {
    pub fn new(store: Arc<dyn Store>, config: Arc<ServerConfig>, ids: IdCodec, clock: Clock) -> TokenService {
        let key = config.secrets.token_signing_key;
        let kid_of =
            |key: &[u8; 32]| hex::encode(&Sha256::digest([b"tahoon/token-kid/v1".as_slice(), key].concat())[..8]);
        let kid = kid_of(&key);
        // Retired keys still verify the tokens they signed (until those expire), never sign.
        let decoding = std::iter::once(&key)
            .chain(config.retired_token_signing_keys.keys())
            .map(|key| (kid_of(key), DecodingKey::from_secret(key)))
            .collect();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.token_issuer]);
        validation.set_audience(&[&config.token_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        // Lifetime is checked against the service's clock below, not the library's system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        TokenService {
            encoding: EncodingKey::from_secret(&key),
            decoding: Arc::new(decoding),
            kid,
            validation,
            store,
            config,
            ids,
            clock,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key that verifies tokens naming `kid`: the current one or a retired one.
    fn decoding_key(&self, kid: Option<&str>) -> Option<&DecodingKey> {
        let kid = kid?;
        self.decoding.iter().find(|(known, _)| known == kid).map(|(_, key)| key)
    }

    /// Signs arbitrary claims with the server's key (tests use it to forge near-valid tokens).
    pub fn sign(&self, header: &Header, claims: &impl Serialize) -> String {
        jsonwebtoken::encode(header, claims, &self.encoding).expect("HS256 signing does not fail")
    }

    fn access_token(&self, organization: &Organization, role: Role, family_id: &str) -> String {
        let now = self.clock.now().as_second();
        let claims = AccessClaims {
            iss: self.config.token_issuer.clone(),
            aud: self.config.token_audience.clone(),
            sub: self.ids.encode(organization.id),
            exp: now + self.config.access_token_ttl_secs,
            iat: now,
            nbf: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            role,
            fam: family_id.to_string(),
            ver: organization.credentials_version,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        self.sign(&header, &claims)
    }

    fn new_refresh(&self, family_id: String) -> (String, NewRefreshToken) {
        let secret = generate_secret(REFRESH_TOKEN_PREFIX);
        let now = self.clock.now();
        let record = NewRefreshToken {
            digest: digest(&secret),
            family_id,
            expires_at: now + SignedDuration::from_secs(self.config.refresh_token_ttl_secs),
            now,
        };
        (secret, record)
    }

    fn grant(&self, access_token: String, refresh_token: String) -> TokenGrant {
        TokenGrant {
            access_token,
            token_type: "bearer".into(),
            expires_in: self.config.access_token_ttl_secs,
            refresh_token,
            refresh_expires_in: self.config.refresh_token_ttl_secs,
        }
    }

    /// `grant_type=password`: an active access key of an enabled organization.
    pub async fn password_grant(&self, access_key: &str) -> ServiceResult<(TokenGrant, AccessKey, Organization)> {
        let Some((key, organization)) = self.store.access_key_by_digest(&digest(access_key)).await? else {
            return Err(ServiceError::InvalidGrant);
        };
        if !organization.enabled {
            return Err(ServiceError::InvalidGrant);
        }
        let family = TokenFamily {
            id: uuid::Uuid::new_v4().simple().to_string(),
            organization_id: organization.id,
            access_key_id: key.id,
            role: key.role,
        };
        let (refresh, record) = self.new_refresh(family.id.clone());
        self.store.start_token_family(family.clone(), record).await?;
        let access = self.access_token(&organization, key.role, &family.id);
        Ok((self.grant(access, refresh), key, organization))
    }

    /// `grant_type=refresh_token`: rotates; a reused token revokes its family.
    pub async fn refresh_grant(&self, refresh_token: &str) -> ServiceResult<(TokenGrant, TokenFamily)> {
        let (refresh, record) = self.new_refresh(String::new());
        match self.store.rotate_refresh_token(&digest(refresh_token), record).await? {
            RefreshOutcome::Rotated(family) => {
                let organization =
                    self.store.organization(family.organization_id).await?.ok_or(ServiceError::InvalidGrant)?;
                let access = self.access_token(&organization, family.role, &family.id);
                Ok((self.grant(access, refresh), family))
            }
            RefreshOutcome::Reused(family) => Err(ServiceError::RefreshReused(family)),
            RefreshOutcome::Invalid => Err(ServiceError::InvalidGrant),
        }
    }

    /// RFC 7009: revokes a refresh token (its whole family) or an access token (by `jti`).
    /// Returns the organization it belonged to, or `None` for an unknown token.
    pub async fn revoke(&self, token: &str, hint: Option<&str>) -> ServiceResult<Option<OrganizationId>> {
        let now = self.clock.now();
        let looks_like_refresh = token.starts_with(REFRESH_TOKEN_PREFIX);
        if looks_like_refresh || hint == Some("refresh_token") {
            if let RevokedRefresh::Revoked(family) = self.store.revoke_refresh_token(&digest(token), now).await? {
                return Ok(Some(family.organization_id));
            }
            if looks_like_refresh {
                return Ok(None);
            }
        }
        // An access token: its signature must be ours; expiry does not matter.
        let key = jsonwebtoken::decode_header(token).ok().and_then(|header| self.decoding_key(header.kid.as_deref()));
        let Some(Ok(data)) = key.map(|key| jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)) else {
            return Ok(None);
        };
        let Ok(organization) = self.ids.decode::<kind::Organization>(&data.claims.sub) else {
            return Ok(None);
        };
        // The signature is ours, so `exp` is one we wrote, always in range.
        let expires_at = Timestamp::from_second(data.claims.exp).unwrap_or(Timestamp::MAX);
        self.store.revoke_access_token(&data.claims.jti, organization, expires_at, now).await?;
        Ok(Some(organization))
    }

    /// The checks of a bearer token that need no database: shape, algorithm, `kid`, signature,
    /// issuer, audience, lifetime and subject. `authenticate` adds the database's.
    pub fn verify(&self, token: &str) -> Result<(AccessClaims, OrganizationId), TokenRejection> {
        let header = match jsonwebtoken::decode_header(token) {
            Ok(header) => header,
            Err(e) if matches!(e.kind(), ErrorKind::InvalidAlgorithmName) => return Err(TokenRejection::Algorithm),
            Err(_) => return Err(TokenRejection::Malformed),
        };
        if header.alg != Algorithm::HS256 {
            return Err(TokenRejection::Algorithm);
        }
        let Some(key) = self.decoding_key(header.kid.as_deref()) else {
            return Err(TokenRejection::UnknownKey);
        };
        let claims = match jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation) {
            Ok(data) => data.claims,
            Err(e) => {
                return Err(match e.kind() {
                    ErrorKind::InvalidSignature => TokenRejection::BadSignature,
                    ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => TokenRejection::Expired,
                    ErrorKind::InvalidIssuer => TokenRejection::Issuer,
                    ErrorKind::InvalidAudience => TokenRejection::Audience,
                    ErrorKind::InvalidAlgorithm => TokenRejection::Algorithm,
                    _ => TokenRejection::Malformed,
                });
            }
        };
        // We issue and check our own tokens on one clock: no leeway.
        let now = self.clock.now().as_second();
        if now >= claims.exp || now < claims.nbf {
            return Err(TokenRejection::Expired);
        }
        let Ok(organization_id) = self.ids.decode::<kind::Organization>(&claims.sub) else {
            return Err(TokenRejection::Malformed);
        };
        Ok((claims, organization_id))
    }

    /// Checks a bearer token completely: `verify`, then revocation (token, family, key),
    /// organization enabled, credentials version.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Authenticated> {
        let (claims, organization_id) = self.verify(token).map_err(ServiceError::Unauthenticated)?;
        let Some(standing) = self.store.token_standing(organization_id, &claims.fam, &claims.jti).await? else {
            return Err(ServiceError::Unauthenticated(TokenRejection::Revoked));
        };
        if standing.token_revoked || standing.family_revoked || standing.key_revoked {
            return Err(ServiceError::Unauthenticated(TokenRejection::Revoked));
        }
        if !standing.organization.enabled {
            return Err(ServiceError::Unauthenticated(TokenRejection::OrganizationDisabled));
        }
        if standing.organization.credentials_version != claims.ver {
            return Err(ServiceError::Unauthenticated(TokenRejection::CredentialsRotated));
        }
        Ok(Authenticated {
            organization: standing.organization,
            role: claims.role,
            family_id: claims.fam,
            jti: claims.jti,
        })
    }
}
