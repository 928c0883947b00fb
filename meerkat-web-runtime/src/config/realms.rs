//! Realms and auth bindings: named provider endpoints a session binds to.
//!
//! The runtime config's provider keys and base URLs form the realm
//! `default` (bindings `anthropic`, `openai`, `gemini`); `realms` declares
//! more: `{ [realm]: { bindings: { [binding]: { provider, credentialSource,
//! apiKey?, baseUrl?, openaiApi?, header? } } } }`. A binding's credential
//! is inline (its `apiKey`) or comes from the host's external resolver as a
//! lease (see `auth`).

use super::check_base_url;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::Json;
use crate::provider::{Endpoint, ProviderKind, Secret, WireApi};

/// The realm the provider fields of the runtime config form.
pub const DEFAULT_REALM: &str = "default";

/// Bindings in all realms together, at most (a bound against mistakes).
const MAX_BINDINGS: usize = 256;

const BINDING_FIELDS: &[&str] = &["provider", "credentialSource", "apiKey", "baseUrl", "openaiApi", "header"];

/// One declared binding.
#[derive(Clone, Debug)]
pub struct Binding {
    pub realm: String,
    pub name: String,
    pub provider: ProviderKind,
    /// Base URL and header style; the key when inline.
    pub endpoint: Endpoint,
    /// The credential is a lease from the external resolver.
    pub external: bool,
    /// The OpenAI wire API of sessions bound here (unless they name one).
    pub openai_api: Option<String>,
}

/// `config.realms`, validated; a message names the binding and the field.
pub fn parse(value: &Json<'_>) -> CoreResult<Vec<Binding>> {
    let realms = value.as_object().ok_or_else(|| {
        bad("runtime config.realms must be an object: { [realm]: { bindings: { [binding]: {...} } } }")
    })?;
    let mut bindings = Vec::new();
    for (realm, body) in realms {
        // A blank name could never be named back by `withAuthBinding`.
        if realm.trim().is_empty() {
            return Err(bad("runtime config.realms has a realm named \"\": a realm's name is a non-blank string"));
        }
        if realm == DEFAULT_REALM {
            return Err(bad(
                "runtime config.realms.default: the default realm is made of the provider keys; use another name",
            ));
        }
        let entries = body.get("bindings").and_then(Json::as_object).filter(|b| !b.is_empty());
        let checked = Fields::new(body, "realm", &["bindings"], ErrorCode::InvalidConfig)
            .and_then(|_| entries.ok_or_else(|| bad("realm.bindings must be an object with at least one binding")));
        for (name, spec) in checked.map_err(|e| at(realm, None, e))? {
            if name.trim().is_empty() {
                let why = bad("realm.bindings has a binding named \"\": a binding's name is a non-blank string");
                return Err(at(realm, None, why));
            }
            bindings.push(binding(realm, name, spec).map_err(|e| at(realm, Some(name), e))?);
        }
    }
    if bindings.len() > MAX_BINDINGS {
        return Err(bad("runtime config.realms declares more than 256 bindings"));
    }
    Ok(bindings)
}

fn binding(realm: &str, name: &str, spec: &Json<'_>) -> CoreResult<Binding> {
    let f = Fields::new(spec, "binding", BINDING_FIELDS, ErrorCode::InvalidConfig)?;
    let provider = ProviderKind::parse(f.req_str("provider")?)
        .ok_or_else(|| bad("binding.provider must be \"anthropic\", \"openai\" or \"gemini\""))?;
    let external = match f.req_str("credentialSource")? {
        "inline" => false,
        "external_resolver" => true,
        _ => return Err(bad("binding.credentialSource must be \"inline\" or \"external_resolver\"")),
    };
    let api_key = f.str("apiKey")?.filter(|k| !k.is_empty());
    if external == api_key.is_some() {
        return Err(bad(if external {
            "binding.apiKey is not allowed with credentialSource \"external_resolver\""
        } else {
            "binding.apiKey is required with credentialSource \"inline\" (a dummy works behind a proxy)"
        }));
    }
    let base_url = f.string("baseUrl")?;
    if let Some(url) = &base_url {
        check_base_url("binding.baseUrl", url)?;
    }
    let openai_api = f.string("openaiApi")?;
    if openai_api.is_some() && WireApi::for_family(provider, openai_api.as_deref()).is_none() {
        return Err(bad("binding.openaiApi is \"chat\" or \"responses\", for openai bindings"));
    }
    let bearer = match f.str("header")? {
        None | Some("api_key") => false,
        Some("bearer") => true,
        _ => return Err(bad("binding.header must be \"api_key\" or \"bearer\"")),
    };
    Ok(Binding {
        realm: realm.to_string(),
        name: name.to_string(),
        provider,
        endpoint: Endpoint { api_key: api_key.map(Secret::new), base_url, bearer },
        external,
        openai_api,
    })
}

fn bad(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidConfig, message)
}

/// An error of realm `realm` (or of its binding `name`), with its path.
fn at(realm: &str, name: Option<&str>, error: CoreError) -> CoreError {
    let mut path = format!("runtime config.realms.{realm}");
    if let Some(name) = name {
        path.push_str(".bindings.");
        path.push_str(name);
    }
    path.push_str(": ");
    path.push_str(&error.message);
    bad(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn realms(text: &str) -> Result<Vec<Binding>, String> {
        let config = format!(r#"{{"realms":{text}}}"#);
        Settings::from_json(&config).map(|s| s.bindings).map_err(|e| {
            assert_eq!(e.code, "INVALID_CONFIG", "{}", e.message);
            e.message.clone()
        })
    }

    #[test]
    fn bindings_are_read_whole() {
        let b = realms(
            r#"{"team-alpha":{"bindings":{
                "anthropic":{"provider":"anthropic","credentialSource":"external_resolver","baseUrl":"http://h/anthropic","header":"bearer"},
                "openai":{"provider":"openai","credentialSource":"inline","apiKey":"sk-SECRET","openaiApi":"responses"}}}}"#,
        )
        .unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].realm.as_str(), b[0].name.as_str()), ("team-alpha", "anthropic"));
        assert!(b[0].external && b[0].endpoint.bearer && b[0].endpoint.api_key.is_none());
        assert_eq!(b[0].endpoint.base_url.as_deref(), Some("http://h/anthropic"));
        assert_eq!(b[1].provider, ProviderKind::OpenAi);
        assert_eq!(b[1].endpoint.api_key.as_ref().unwrap().expose(), "sk-SECRET");
        assert_eq!(b[1].openai_api.as_deref(), Some("responses"));
        assert!(!b[1].external && !b[1].endpoint.bearer);
        assert!(!format!("{b:?}").contains("SECRET"));
    }

    #[test]
    fn every_mistake_is_refused_with_its_path() {
        let cases = [
            (r#"[]"#, "runtime config.realms must be an object"),
            (r#"{"default":{"bindings":{"a":{}}}}"#, "runtime config.realms.default: the default realm"),
            (r#"{"r":{}}"#, "runtime config.realms.r: realm.bindings must be an object"),
            (r#"{"r":{"bindings":{}}}"#, "at least one binding"),
            (r#"{"":{"bindings":{"a":{}}}}"#, "runtime config.realms has a realm named \"\""),
            (r#"{" ":{"bindings":{"a":{}}}}"#, "runtime config.realms has a realm named \"\""),
            (r#"{"r":{"bindings":{"":{}}}}"#, "runtime config.realms.r: realm.bindings has a binding named \"\""),
            (r#"{"r":{"binding":{}}}"#, "runtime config.realms.r: realm has an unknown field \"binding\""),
            (r#"{"r":{"bindings":{"b":[]}}}"#, "runtime config.realms.r.bindings.b: binding must be an object"),
            (r#"{"r":{"bindings":{"b":{"provider":"anthropic"}}}}"#, "needs a string field \"credentialSource\""),
            (
                r#"{"r":{"bindings":{"b":{"provider":"mistral","credentialSource":"inline","apiKey":"k"}}}}"#,
                "runtime config.realms.r.bindings.b: binding.provider must be",
            ),
            (
                r#"{"r":{"bindings":{"b":{"provider":"openai","credentialSource":"oauth"}}}}"#,
                ".credentialSource must be",
            ),
            (r#"{"r":{"bindings":{"b":{"provider":"openai","credentialSource":"inline"}}}}"#, ".apiKey is required"),
            (
                r#"{"r":{"bindings":{"b":{"provider":"openai","credentialSource":"external_resolver","apiKey":"k"}}}}"#,
                ".apiKey is not allowed",
            ),
            (
                r#"{"r":{"bindings":{"b":{"provider":"openai","credentialSource":"external_resolver","baseUrl":"h"}}}}"#,
                "runtime config.realms.r.bindings.b: binding.baseUrl must be an absolute",
            ),
            (
                r#"{"r":{"bindings":{"b":{"provider":"gemini","credentialSource":"external_resolver","openaiApi":"chat"}}}}"#,
                ".openaiApi is",
            ),
            (
                r#"{"r":{"bindings":{"b":{"provider":"gemini","credentialSource":"external_resolver","header":"cookie"}}}}"#,
                ".header must be",
            ),
            (
                r#"{"r":{"bindings":{"b":{"provider":"gemini","credentialSource":"external_resolver","apikey":"x"}}}}"#,
                "runtime config.realms.r.bindings.b: binding has an unknown field \"apikey\"",
            ),
        ];
        for (text, expected) in cases {
            let message = realms(text).unwrap_err();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
